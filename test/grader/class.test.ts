// grade-class over a small class (resumable, CSV, feedback), the Gradescope autograder
// run the way Gradescope runs it, and validate's mutant table.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findKata } from "tlbkata";
import { partialAmd } from "../../scripts/katas/samples.mjs";
import { needSandbox } from "./support";

const ROOT = path.resolve(__dirname, "../..");
const CLI = path.join(ROOT, "src/dist/cli/main.js");
const amd = findKata(ROOT, "05")!;
const tmp = (p: string) => fs.mkdtempSync(path.join(os.tmpdir(), `tlbkata-${p}-`));

function run(cmd: string, args: string[], env: Record<string, string> = {}, cwd?: string) {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, ...env }, cwd, timeout: 600_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const tlbkata = (...args: string[]) => run(process.execPath, [CLI, ...args]);

function classroom(): string {
  const root = tmp("class");
  const put = (student: string, text: string | null) => {
    fs.mkdirSync(path.join(root, student));
    if (text !== null) fs.writeFileSync(path.join(root, student, "amd_iommu_v2.ts"), text);
  };
  put("alice", fs.readFileSync(amd.solution!, "utf8"));
  put("bob", partialAmd());
  put("carol, \"the quiet one\"", null);
  put("dave", "export const iommu_mn = {;\n");
  return root;
}

describe("grade-class", () => {
  if (!needSandbox()) return;
  it("grades every folder, writes a CSV with one row per student, feedback and a summary; resumes after an interruption", () => {
    const root = classroom();
    const out = path.join(tmp("grades"), "out");
    let r = tlbkata("grade-class", root, "--out", out, "--kata", "05", "--jobs", "2");
    expect(r.stderr).toMatch(/^4\/4 /m);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/4 submissions \(4 graded now, 0 already done\)/);
    const csv = fs.readFileSync(path.join(out, "gradebook.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe(`student,score,max,${amd.id}`);
    expect(csv).toHaveLength(5);
    const py = run("python3", ["-c", "import csv,sys; rows=list(csv.reader(open(sys.argv[1]))); print(len(rows)-1, rows[3][0])", path.join(out, "gradebook.csv")]);
    expect(py.stdout.trim()).toBe('4 carol, "the quiet one"');
    const score = (s: string) => Number(csv.find((l) => l.startsWith(s))!.split(",")[1]);
    const max = Number(csv[1]!.split(",")[2]);
    expect(score("alice")).toBe(max);
    expect(score("bob")).toBeGreaterThan(0);
    expect(score("bob")).toBeLessThan(max);
    expect(score("dave")).toBe(0);
    expect(fs.readFileSync(path.join(out, "feedback", "dave.md"), "utf8")).toMatch(/Not graded: kata 05-amd-iommu-v2: amd_iommu_v2\.ts:1:\d+/);
    expect(JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8")).students).toBe(4);

    // As if interrupted after three students: bob's result never got written.
    fs.rmSync(path.join(out, "results", "bob.json"));
    r = tlbkata("grade-class", root, "--out", out, "--kata", "05");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/4 submissions \(1 graded now, 3 already done\)/);
    expect(fs.readdirSync(path.join(out, "results")).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    // A folder that is not ours is never written into.
    const foreign = tmp("foreign");
    fs.writeFileSync(path.join(foreign, "notes.txt"), "mine");
    r = tlbkata("grade-class", root, "--out", foreign);
    expect(r.status).toBe(2);
    expect(fs.readdirSync(foreign)).toEqual(["notes.txt"]);
  }, 600_000);
});

describe("gradescope", () => {
  if (!needSandbox()) return;
  it("builds an autograder whose run_autograder writes a valid results.json for a submission", () => {
    const dir = tmp("gs");
    // As in a Gradescope image: the autograder's folder can be traversed by the sandbox's unprivileged user.
    fs.chmodSync(dir, 0o755);
    const zip = path.join(dir, "autograder.zip");
    const r = tlbkata("gradescope", "--out", zip);
    expect(r.status).toBe(0);
    // Unpack with Python's zipfile (also checks the archive is well formed and CRCs match).
    const x = run("python3", ["-c", "import zipfile,sys,os\nz=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; z.extractall(sys.argv[2])\nfor i in z.infolist():\n  os.chmod(os.path.join(sys.argv[2], i.filename), (i.external_attr >> 16) & 0o777)\nprint(len(z.namelist()))", zip, path.join(dir, "source")]);
    expect(x.status, x.stderr).toBe(0);
    const src = path.join(dir, "source");
    const names = spawnSync("find", [src, "-type", "f"], { encoding: "utf8" }).stdout;
    expect(names).toMatch(/source\/setup\.sh/);
    expect(names).toMatch(/tlbkata\/katas\/05-amd-iommu-v2\/hidden\/coherence\.ts/);
    expect(names).not.toMatch(/solutions\/|mutants\//);
    expect(fs.statSync(path.join(src, "run_autograder")).mode & 0o111).not.toBe(0);
    // setup.sh would npm install and build; reuse this checkout's packages and build instead.
    fs.cpSync(path.join(ROOT, "src", "dist"), path.join(src, "tlbkata", "src", "dist"), { recursive: true });
    const nm = path.join(src, "tlbkata", "node_modules");
    fs.mkdirSync(nm);
    for (const e of fs.readdirSync(path.join(ROOT, "node_modules"))) {
      if (e === "tlbkata") fs.symlinkSync("../src", path.join(nm, e));
      else fs.symlinkSync(path.join(ROOT, "node_modules", e), path.join(nm, e));
    }
    const ag = path.join(dir, "autograder");
    fs.mkdirSync(path.join(ag, "submission"), { recursive: true });
    fs.copyFileSync(amd.solution!, path.join(ag, "submission", "amd_iommu_v2.ts"));
    const g = run("bash", [path.join(src, "run_autograder")], { AUTOGRADER: ag });
    expect(g.status, g.stderr).toBe(0);
    const results = JSON.parse(fs.readFileSync(path.join(ag, "results", "results.json"), "utf8")) as { score: number; tests: { name: string; score: number; max_score: number }[] };
    const mine = results.tests.filter((t) => t.name.startsWith(amd.id));
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((t) => t.score === t.max_score)).toBe(true);
    expect(results.tests.filter((t) => !t.name.startsWith(amd.id)).every((t) => t.score === 0)).toBe(true);
  }, 600_000);
});

describe("validate", () => {
  it("reports kata 05 sound, naming the test that catches each mutant", () => {
    const r = tlbkata("validate", "05");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^05-amd-iommu-v2: sound$/m);
    for (const m of amd.mutants) expect(r.stdout).toMatch(new RegExp(`^  ${path.basename(m, ".ts")} +caught by \\S`, "m"));
  }, 300_000);
});
