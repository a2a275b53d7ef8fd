// Grading as an instructor meets it: formats that parse and count right, a
// deterministic score, the student release, grade-class with resume and a CSV, the
// Gradescope autograder, and validate's table.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { findKata, listKatas } from "tlbkata";
import { gradeSubmission, render, toGradescope, toJunit, type SubmissionResult } from "../../src/grader/index";
import { partialAmd, writeSample } from "../../scripts/katas/samples.mjs";
import { needSandbox, sandboxProblem as problem } from "./support";

const ROOT = path.resolve(__dirname, "../..");
const CLI = path.join(ROOT, "src/dist/cli/main.js");
const amd = findKata(ROOT, "05")!;
// Self-contained (a mutant imports the solution, which a sandboxed submission cannot).
const MUTANT = writeSample(fs.mkdtempSync(path.join(os.tmpdir(), "tlbkata-sample-")), "partial-amd.ts", partialAmd());
const tmp = (p: string) => fs.mkdtempSync(path.join(os.tmpdir(), `tlbkata-${p}-`));

function tlbkata(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 600_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A submission folder holding just one kata file. */
function submission(file: string): string {
  const d = tmp("sub");
  fs.copyFileSync(file, path.join(d, path.basename(amd.file)));
  return d;
}

let partial: SubmissionResult;

beforeAll(async () => {
  if (problem) return;
  partial = await gradeSubmission(submission(MUTANT), { root: ROOT, katas: [amd] });
}, 120_000);

describe("one submission", () => {
  if (!needSandbox()) return;
  it("every kata's reference solution and a variant score full marks as graded (sandbox, confinement, membrane)", async () => {
    // validate runs solutions as trusted code; this is what a student who wrote them gets.
    const katas = listKatas(ROOT).filter((k) => k.hidden.length && k.solution);
    // A variant that imports the solution by a relative path is not a file a student could submit.
    const alone = (f: string): boolean => !/from\s+["']\.{1,2}\//.test(fs.readFileSync(f, "utf8"));
    for (const pick of [(k: (typeof katas)[number]) => k.solution!, (k: (typeof katas)[number]) => k.variants.find(alone) ?? k.solution!]) {
      const dir = tmp("full");
      for (const k of katas) {
        fs.mkdirSync(path.join(dir, "katas", k.id), { recursive: true });
        fs.copyFileSync(pick(k), path.join(dir, "katas", k.id, path.basename(k.file)));
      }
      const r = await gradeSubmission(dir, { root: ROOT, katas, jobs: 2 });
      for (const k of r.katas) expect(`${k.id} ${k.score}/${k.max} ${k.error ?? k.tests.find((t) => !t.ok)?.message ?? ""}`).toBe(`${k.id} ${k.max}/${k.max} `);
    }
  }, 300_000);

  it("partial credit per test: a wrong driver loses some tests, not the kata", () => {
    const k = partial.katas[0]!;
    expect(k.score).toBeGreaterThan(0);
    expect(k.score).toBeLessThan(k.max);
    // Coherence failures name the rule first; a test that counts commands says what it counted.
    const failed = k.tests.filter((t) => !t.ok);
    const coherence = failed.filter((t) => t.suite === "coherence");
    expect(coherence.length).toBeGreaterThan(0);
    expect(coherence.every((t) => /^\[[a-z-]+\]/.test(t.message ?? ""))).toBe(true);
    expect(failed.every((t) => (t.message ?? "").trim().length > 0)).toBe(true);
  });

  it("is deterministic: the same submission scores the same on 10 runs", async () => {
    const dir = submission(MUTANT);
    const scores = [];
    for (let i = 0; i < 10; i++) scores.push((await gradeSubmission(dir, { root: ROOT, katas: [amd], jobs: 1 })).katas.map((k) => k.tests.map((t) => t.score).join(",")).join(";"));
    expect(new Set(scores).size).toBe(1);
    expect(scores[0]).toBe(partial.katas.map((k) => k.tests.map((t) => t.score).join(",")).join(";"));
  }, 300_000);

  it("Gradescope results.json has the fields the spec asks for, and adds up", () => {
    const g = JSON.parse(toGradescope(partial)) as { score: number; max_score: number; tests: { name: string; score: number; max_score: number; output: string; visibility: string; status: string }[] };
    expect(g.score).toBe(partial.score);
    expect(g.tests.reduce((n, t) => n + t.score, 0)).toBe(g.score);
    expect(g.tests.reduce((n, t) => n + t.max_score, 0)).toBe(partial.max);
    for (const t of g.tests) {
      expect(typeof t.name).toBe("string");
      expect(["visible", "hidden", "after_due_date", "after_published"]).toContain(t.visibility);
      expect(["passed", "failed"]).toContain(t.status);
      expect(t.score === t.max_score ? t.output === "" : t.output.length > 0).toBe(true);
    }
  });

  it("JUnit XML parses and counts right (checked with Python's XML parser)", () => {
    const xml = toJunit(partial);
    const r = spawnSync("python3", ["-c", "import sys, xml.etree.ElementTree as E; r=E.fromstring(sys.stdin.read()); c=r.findall('.//testcase'); f=r.findall('.//failure'); print(len(c), len(f), r.get('tests'), r.get('failures'))"], { input: xml, encoding: "utf8" });
    expect(r.status).toBe(0);
    const total = partial.katas[0]!.tests.length;
    const failed = partial.katas[0]!.tests.filter((t) => !t.ok).length;
    expect(r.stdout.trim()).toBe(`${total} ${failed} ${total} ${failed}`);
  });

  it("Exercism v3 results: version, status, one task per kata", () => {
    const e = JSON.parse(render(partial, "exercism")) as { version: number; status: string; tests: { status: string; task_id: number }[] };
    expect(e.version).toBe(3);
    expect(e.status).toBe("fail");
    expect(new Set(e.tests.map((t) => t.task_id))).toEqual(new Set([1]));
  });

  it("the CLI: --format and --out; an existing file is never replaced without --force; bad input is one line, exit 2", () => {
    const dir = submission(MUTANT);
    const out = path.join(tmp("out"), "results.json");
    fs.writeFileSync(out, "mine\n");
    let r = tlbkata(["grade", dir, "--kata", "05", "--format", "gradescope", "--out", out]);
    expect(r.status).toBe(2);
    expect(fs.readFileSync(out, "utf8")).toBe("mine\n");
    r = tlbkata(["grade", dir, "--kata", "05", "--format", "gradescope", "--out", out, "--force"]);
    expect(r.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(out, "utf8")).score).toBe(partial.score);
    for (const bad of [["grade"], ["grade", "/no/such/dir"], ["grade", dir, "--format", "pdf"], ["grade", dir, "--kata", "99"], ["grade", dir, "--jobs", "0"]]) {
      r = tlbkata(bad);
      expect(r.status, bad.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
  }, 120_000);
});

describe("release", () => {
  if (!needSandbox()) return;
  it("has starters, visible tests and hints, and no solutions, hidden tests or mutants; an edited visible test zeroes its kata", async () => {
    const out = path.join(tmp("release"), "course");
    const r = tlbkata(["release", "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const all = spawnSync("find", [out, "-type", "f"], { encoding: "utf8" }).stdout.split("\n").filter(Boolean).map((f) => path.relative(out, f));
    expect(all.some((f) => f.startsWith("solutions"))).toBe(false);
    expect(all.some((f) => /\/(hidden|mutants)\//.test(f) || f.endsWith("/MUTATION-NOTES.md"))).toBe(false);
    expect(all.some((f) => f.startsWith("test/"))).toBe(false);
    expect(all).toContain("katas/05-amd-iommu-v2/amd_iommu_v2.ts");
    expect(all).toContain("katas/05-amd-iommu-v2/visible.ts");
    expect(all).toContain("katas/05-amd-iommu-v2/hints/1.md");
    expect(all).toContain("notebooks/00-welcome.ipynb");
    const manifest = JSON.parse(fs.readFileSync(path.join(out, "release-manifest.json"), "utf8")) as { protected: Record<string, string>; editable: Record<string, string> };
    expect(manifest.editable["05-amd-iommu-v2"]).toBe("katas/05-amd-iommu-v2/amd_iommu_v2.ts");
    expect(manifest.protected["katas/05-amd-iommu-v2/visible.ts"]).toMatch(/^[0-9a-f]{64}$/);
    expect(tlbkata(["release", "--out", out]).status).toBe(2);

    // The learner solves kata 05 in the release, and also edits its visible test.
    fs.copyFileSync(amd.solution!, path.join(out, "katas/05-amd-iommu-v2/amd_iommu_v2.ts"));
    let g = await gradeSubmission(out, { root: ROOT, katas: [amd] });
    expect(g.katas[0]!.score).toBe(g.katas[0]!.max);
    fs.appendFileSync(path.join(out, "katas/05-amd-iommu-v2/visible.ts"), "\n// made easier\n");
    g = await gradeSubmission(out, { root: ROOT, katas: [amd] });
    expect(g.katas[0]!.score).toBe(0);
    expect(g.katas[0]!.error).toMatch(/katas\/05-amd-iommu-v2\/visible\.ts was changed/);
  }, 120_000);
});
