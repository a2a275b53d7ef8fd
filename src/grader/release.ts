/**
 * The student release (nbgrader's "release" step): the course a learner gets, with
 * katas' starters, visible tests and hints, and without solutions, hidden tests or
 * mutants. A manifest records the checksum of every file the learner must not edit,
 * so the grader can tell an edited visible test; pristine starters are kept for
 * `tlbkata reset`.
 */
import * as fs from "fs";
import * as path from "path";
import type { KataInfo } from "../kata/catalog";
import { walk, copyFiles, writeAtomic } from "./files";
import { MANIFEST, sha256, type Manifest } from "./submission";

/** Top-level entries a release carries. */
const TOP = ["README.md", "package.json", "package-lock.json", "tsconfig.json", ".gitignore", "src", "scripts", "notebooks", "diagrams", "docs", "katas"];

/** What never goes to students, by relative path. */
export function excludedFromRelease(rel: string, isDir: boolean): boolean {
  const top = rel.split("/")[0]!;
  if (!TOP.includes(top)) return true;
  if (rel === "src/dist" || rel === "src/node_modules") return true;
  if (/^src\/.*\.test\.ts$/.test(rel) || rel === "src/sched/testing") return true;
  if (/^scripts\/bench/.test(rel)) return true;
  // mutants/ also holds MUTATION-NOTES.md, which names the reference solution's lines.
  if (isDir && /^katas\/[^/]+\/(hidden|mutants)$/.test(rel)) return true;
  if (/(^|\/)\.tlbkata(\/|$)|(^|\/)__pycache__(\/|$)|\.tsbuildinfo$/.test(rel)) return true;
  return false;
}

function studentPackageJson(root: string): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
  const keep = ["course", "setup", "build", "notebooks:test", "diagrams"];
  const scripts: Record<string, string> = {};
  for (const k of keep) if (pkg.scripts[k]) scripts[k] = pkg.scripts[k]!;
  scripts.check = "npm run build --silent && tlbkata check";
  return JSON.stringify({ ...pkg, scripts }, null, 2) + "\n";
}

const STUDENT_README = `# tlbkata: student copy

A course on how Linux keeps device TLBs coherent with CPU page tables.

\`\`\`sh
npm run course       # installs what is missing, builds, opens the course in Jupyter
npx tlbkata list     # the katas and your progress
npx tlbkata check 05 # run a kata's visible tests on your file
npx tlbkata watch    # re-check on every save, move on when it passes
npx tlbkata hint 05  # the next hint
\`\`\`

Edit only the file each kata's README names (for example
\`katas/05-amd-iommu-v2/amd_iommu_v2.ts\`). The other files are checked against
\`${MANIFEST}\` when your work is graded: a kata whose tests or package files were
changed is not graded. \`npx tlbkata reset KATA\` restores a starter (your version is
backed up first).
`;

export interface ReleaseSummary {
  readonly files: number;
  readonly katas: number;
}

export function makeRelease(root: string, out: string, katas: readonly KataInfo[]): ReleaseSummary {
  const files = walk(root, excludedFromRelease).filter((rel) => !["README.md", "package.json"].includes(rel));
  copyFiles(root, out, files);
  writeAtomic(path.join(out, "package.json"), studentPackageJson(root));
  writeAtomic(path.join(out, "README.md"), STUDENT_README);
  const editable: Record<string, string> = {};
  for (const k of katas) {
    const rel = path.relative(root, k.file).split(path.sep).join("/");
    editable[k.id] = rel;
    const starter = path.join(out, ".tlbkata", "starters", ...rel.split("/"));
    fs.mkdirSync(path.dirname(starter), { recursive: true });
    fs.copyFileSync(k.file, starter);
  }
  const editableSet = new Set(Object.values(editable));
  const protectedFiles: Record<string, string> = {};
  for (const rel of walk(out, (r) => r === ".tlbkata")) {
    if (rel === MANIFEST || editableSet.has(rel)) continue;
    protectedFiles[rel] = sha256(path.join(out, ...rel.split("/")));
  }
  const manifest: Manifest = { version: 1, protected: protectedFiles, editable };
  writeAtomic(path.join(out, MANIFEST), JSON.stringify(manifest, null, 2) + "\n");
  return { files: Object.keys(protectedFiles).length + editableSet.size + 1, katas: katas.length };
}
