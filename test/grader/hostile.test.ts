// Untrusted submissions: each hostile file gets a clear zero (or, if it is correct but
// noisy, full marks) for its own kata, with the reason, while another kata of the
// same submission is graded normally; nothing it prints reaches a results file.
import { beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { listKatas, type KataInfo } from "tlbkata";
import { gradeSubmission, pool, render, type SubmissionResult } from "../../src/grader/index";
import { noisyAmd } from "../../scripts/katas/samples.mjs";

const ROOT = path.resolve(__dirname, "../..");
const FIXTURES = path.join(__dirname, "fixtures");
const katas = listKatas(ROOT).filter((k) => k.hidden.length && k.solution);
const amd = katas.find((k) => k.id === "05-amd-iommu-v2")!;
// Another kata in the same submission, with its reference solution: it must be unaffected.
const other: KataInfo | undefined = katas.find((k) => k !== amd);
const graded = new Map<string, SubmissionResult>();

/** fixture -> what its kata 05 result must show. */
const EXPECTED: Record<string, { score: "zero" | "full"; reason: RegExp }> = {
  "infinite-loop.ts": { score: "zero", reason: /your code took longer than 3 s during this test|the kata's time limit/ },
  "unbounded-memory.ts": { score: "zero", reason: /ran out of memory|took longer than|time limit/ },
  "exit-at-load.ts": { score: "zero", reason: /stopped the test process while loading \(it exited with status 0\)/ },
  "throw-at-load.ts": { score: "zero", reason: /could not be loaded: boom at load \(at amd_iommu_v2\.ts:3\)/ },
  "read-outside.ts": { score: "zero", reason: /could not be loaded: Access to this API has been restricted \(at amd_iommu_v2\.ts:3\)/ },
  "read-solution.ts": { score: "zero", reason: /could not be loaded: Access to this API has been restricted/ },
  "read-hidden.ts": { score: "zero", reason: /could not be loaded: Access to this API has been restricted \(at amd_iommu_v2\.ts:5\)/ },
  "monkeypatch.ts": { score: "zero", reason: /Cannot assign to read only property 'report'/ },
  "patch-builtins.ts": { score: "zero", reason: /Cannot assign to read only property 'some'/ },
  "forge-results.ts": { score: "zero", reason: /^\[stale-tlb/ },
  "kill-grader.ts": { score: "zero", reason: /process\.kill is not allowed while grading/ },
};
/** Generated from the solution rather than kept as a copy of it. */
const GENERATED: Record<string, { text: () => string; score: "full"; reason: RegExp }> = {
  "output-flood.ts": { text: noisyAmd, score: "full", reason: /^$/ },
};

beforeAll(async () => {
  const names = [...Object.keys(EXPECTED), ...Object.keys(GENERATED)];
  await pool(names, 3, async (name) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tlbkata-hostile-`));
    const gen = GENERATED[name];
    if (gen) fs.writeFileSync(path.join(dir, path.basename(amd.file)), gen.text());
    else fs.copyFileSync(path.join(FIXTURES, name), path.join(dir, path.basename(amd.file)));
    if (other) fs.copyFileSync(other.solution!, path.join(dir, path.basename(other.file)));
    const r = await gradeSubmission(dir, { root: ROOT, katas: other ? [amd, other] : [amd], jobs: 1, caseTimeoutMs: 3000, kataTimeoutMs: 10000, memoryMb: 256 });
    graded.set(name, r);
    fs.rmSync(dir, { recursive: true, force: true });
  });
}, 600_000);

describe("hostile submissions", () => {
  it("every fixture is listed with its expected outcome", () => {
    expect(fs.readdirSync(FIXTURES).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [name, want] of Object.entries({ ...EXPECTED, ...GENERATED })) {
    it(`${name}: ${want.score === "zero" ? "zero" : "full marks"} for its kata, with the reason; the other kata unaffected`, () => {
      const r = graded.get(name)!;
      const k = r.katas.find((x) => x.id === amd.id)!;
      expect(k.max).toBeGreaterThan(0);
      expect(k.score).toBe(want.score === "zero" ? 0 : k.max);
      const reason = k.error ?? k.tests.find((t) => !t.ok)?.message ?? "";
      expect(reason).toMatch(want.reason);
      if (other) {
        const o = r.katas.find((x) => x.id === other.id)!;
        expect(o.error).toBeUndefined();
        expect(o.score).toBe(o.max);
      }
      for (const f of ["json", "gradescope", "exercism", "junit", "markdown", "text"] as const) {
        const text = render(r, f);
        expect(text).not.toMatch(/FORGED|FLOOD|999/);
      }
    });
  }
});
