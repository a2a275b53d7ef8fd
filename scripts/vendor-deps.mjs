// Copies the runtime dependencies that hidden suites reach through "tlbkata" (fast-check,
// and its pure-rand) into src/dist/node_modules: a sandboxed kata worker may read only
// the package's dist folder, so they must resolve from there.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const ROOT = path.resolve(import.meta.dirname, "..");
const DEST = path.join(ROOT, "src", "dist", "node_modules");
const require = createRequire(path.join(ROOT, "src", "package.json"));

for (const name of ["fast-check", "pure-rand"]) {
  let dir;
  try {
    dir = path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    console.error(`vendor-deps: ${name} is not installed: run npm install`);
    process.exit(1);
  }
  const to = path.join(DEST, name);
  fs.rmSync(to, { recursive: true, force: true });
  fs.cpSync(dir, to, { recursive: true, dereference: true });
}
