/**
 * Where in a learner's code an exception came from: the first stack frame outside
 * the simulation package, node_modules and the katas' hidden tests (whose files and
 * lines a learner must not see), as "file.ts:line".
 */
import * as path from "path";

/** The package root (src/ in tests, src/dist/.. when built): frames under it are ours. */
const PACKAGE_ROOT = path.resolve(__dirname, "..", path.basename(path.resolve(__dirname, "..")) === "dist" ? ".." : ".");

/** A kata's hidden test file (katas/NN-slug/hidden/...): never named in feedback. */
const HIDDEN_TESTS = /\/katas\/\d\d-[a-z0-9-]+\/hidden\//;

// "at fn (/abs/file.ts:12:3)" or "at /abs/file.ts:12:3"; not "node:internal/..." frames.
const FRAME = /(?:\(|^at )((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?$/;

export function userFrame(err: unknown): { file: string; line: number; column: number } | null {
  const stack = err instanceof Error ? err.stack : undefined;
  if (!stack) return null;
  for (const raw of stack.split("\n").slice(1)) {
    const m = FRAME.exec(raw.trim());
    if (!m) continue;
    const file = m[1]!.replace(/^file:\/\//, "");
    if (file.includes("/node_modules/") || file.startsWith(PACKAGE_ROOT + path.sep) || HIDDEN_TESTS.test(file)) continue;
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return null;
}

/** " (at amd_iommu_v2.ts:42)" or "" when the frame is unknown. */
export function atUserFrame(err: unknown): string {
  const f = userFrame(err);
  return f ? ` (at ${path.basename(f.file)}:${f.line})` : "";
}
