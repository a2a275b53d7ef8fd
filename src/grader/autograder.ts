/**
 * A Gradescope autograder: a zip with setup.sh (install Node and the course's
 * packages, build) and run_autograder (grade /autograder/submission, write
 * /autograder/results/results.json), plus the course files the grader needs: the
 * package, the katas with their hidden tests. No solutions, no mutants.
 */
import * as fs from "fs";
import * as path from "path";
import { walk } from "./files";
import { zip } from "./zip";

const SETUP = `#!/usr/bin/env bash
# Gradescope runs this once, as root, when the autograder image is built.
set -euo pipefail
cd "$(dirname "$0")/tlbkata"
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  apt-get update -qq
  apt-get install -y -qq ca-certificates curl gnupg
  curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
  apt-get install -y -qq nodejs
fi
export PUPPETEER_SKIP_DOWNLOAD=1
npm ci --no-audit --no-fund || npm install --no-save --no-audit --no-fund
npx tsc -p src/tsconfig.json
`;

const RUN = `#!/usr/bin/env bash
# Gradescope runs this for each submission; AUTOGRADER overrides /autograder for a local try.
set -uo pipefail
A="\${AUTOGRADER:-/autograder}"
cd "$(dirname "$0")/tlbkata"
mkdir -p "$A/results"
node src/dist/cli/main.js grade "$A/submission" --format gradescope --out "$A/results/results.json" --force
status=$?
if [ $status -ne 0 ] && [ ! -s "$A/results/results.json" ]; then
  printf '{"score":0,"output":"The grader could not run (status %s). Please tell your instructor.","tests":[]}\\n' "$status" > "$A/results/results.json"
fi
`;

function excluded(rel: string, isDir: boolean): boolean {
  const top = rel.split("/")[0]!;
  if (!["src", "katas", "package.json", "package-lock.json", "tsconfig.json"].includes(top)) return true;
  if (rel === "src/dist" || rel === "src/node_modules") return true;
  if (/^src\/.*\.test\.ts$/.test(rel) || rel === "src/sched/testing") return true;
  if (isDir && /^katas\/[^/]+\/mutants$/.test(rel)) return true;
  return false;
}

export function makeAutograder(root: string): { zip: Buffer; files: string[] } {
  const files = walk(root, excluded);
  const entries = [
    { name: "setup.sh", data: Buffer.from(SETUP), mode: 0o755 },
    { name: "run_autograder", data: Buffer.from(RUN), mode: 0o755 },
    ...files.map((rel) => ({ name: `tlbkata/${rel}`, data: fs.readFileSync(path.join(root, ...rel.split("/"))), mode: 0o644 })),
  ];
  return { zip: zip(entries), files: entries.map((e) => e.name) };
}
