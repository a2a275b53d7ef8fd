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
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# bubblewrap: the sandbox, where the container allows user namespaces; util-linux: prlimit.
apt-get install -y -qq bubblewrap util-linux || true
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  apt-get install -y -qq ca-certificates curl gnupg
  curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
  apt-get install -y -qq nodejs
fi
export PUPPETEER_SKIP_DOWNLOAD=1
npm ci --no-audit --no-fund || npm install --no-save --no-audit --no-fund
npx tsc -p src/tsconfig.json
`;

const RUN = `#!/usr/bin/env bash
# Gradescope runs this for each submission, as root; AUTOGRADER overrides /autograder for a local try.
set -uo pipefail
A="\${AUTOGRADER:-/autograder}"
cd "$(dirname "$0")/tlbkata"
mkdir -p "$A/results"
# The strongest isolation this container allows: bubblewrap's namespaces if an
# unprivileged user may create them here; otherwise an unprivileged user with kernel
# limits (Docker's default seccomp profile refuses namespaces). Either way the hidden
# tests are not readable by other users, and the learner's code is confined.
chmod -R go-rwx katas
ISOLATION=user
if command -v bwrap >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups bwrap --unshare-all --ro-bind / / true 2>/dev/null; then
  ISOLATION=namespaces
fi
node src/dist/cli/main.js grade "$A/submission" --isolation "$ISOLATION" --format gradescope --out "$A/results/results.json" --force
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
