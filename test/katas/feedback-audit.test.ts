/**
 * The feedback checks of feedback-audit.ts (run on every mutant by katas.test.ts) catch
 * what the grader used to show: messages taken from it before they were fixed.
 */
import { describe, expect, test } from "vitest";
import * as path from "path";
import { findKata, runKataJob, kataWorkerSpec } from "tlbkata";
import { ROOT } from "./harness";
import { hiddenSource, feedbackProblems, givesAwayPage, codeOnly } from "./feedback-audit";

const kata = findKata(ROOT, "02-register-rules")!;
const hidden = hiddenSource(kata);
const own = { file: "mmu_notifier.ts", source: "" };
const f = (message: string, suite = "rules") => ({ suite, name: "a case", message });

describe("feedback checks", () => {
  test("a hidden file and line in a crash report is found", () => {
    const old = "[driver-crash] your mmu_notifier_get_locked threw TypeError: Cannot read properties of undefined (reading 'invalidate_secondary_tlbs') (at mmu_notifier.ts:25) (an oops in the mmu_notifier core) (at locking.ts:51)";
    expect(feedbackProblems(kata, hidden, own, f(old))).toEqual(["rules / a case: names the hidden file locking.ts"]);
    expect(feedbackProblems(kata, hidden, own, f(old.replace(" (at locking.ts:51)", "")))).toEqual([]);
  });

  test("hidden code quoted by a JavaScript error is found, the learner's own code is not", () => {
    const quote = "your code threw TypeError: k.mn.mmu_notifier_get_locked is not a function";
    expect(feedbackProblems(kata, hidden, own, f(quote))).toEqual(["rules / a case: quotes the hidden expression k.mn.mmu_notifier_get_locked"]);
    expect(feedbackProblems(kata, hidden, { ...own, source: "k.mn.mmu_notifier_get_locked(ops, mm)" }, f(quote))).toEqual([]);
  });

  test("a stale entry at exit blamed on tlb_flush_mmu_tlbonly is found", () => {
    const old =
      "[stale-tlb-at-free] on the exit scenario at 0x40000000: page pfn 256 freed while iommu0.iotlb (tag 1001, proc) still maps 0x40000000 -> pfn 256: secondary TLBs must be invalidated before the page is freed (tlb_flush_mmu_tlbonly runs before the gathered pages are freed). It happened at step 10 (exit: tlb_flush_mmu_free: free the batch).";
    expect(feedbackProblems(kata, hidden, own, f(old))).toHaveLength(2);
    expect(feedbackProblems(kata, hidden, own, f(old.replace("on the exit", "on the munmap")))).toEqual([]);
  });

  test("kata 03's refill message naming the page is found", () => {
    const old = "diagnosis.refill_step is 1: look for the step after invalidate_range_start where the IOMMU walks the page table and fills its IOTLB with page B (steps are numbered from 1)";
    expect(givesAwayPage("B", f(old, "diagnosis"))).toBe(true);
    expect(givesAwayPage("B", f(old.replace("page B", "that page again"), "diagnosis"))).toBe(false);
    expect(givesAwayPage("B", f('diagnosis.page is "D", but that is not the page of the device access that ends the trace', "diagnosis"))).toBe(false);
  });

  test("code is read without its comments and strings", () => {
    expect(codeOnly('const a = "x.y.z"; // p.q\n/* r.s */ b.c(`t.u`)')).toBe('const a = ""; \n b.c(``)');
  });
});

test("the grader's feedback on a broken README rule cites the rule (kata 04-rename-migration: a mutex under the ptl)", async () => {
  const k = findKata(ROOT, "04-rename-migration")!;
  const r = await runKataJob(kataWorkerSpec(k, path.join(k.dir, "mutants", "waits-under-mutex.ts"), k.hidden), { caseTimeoutMs: 60_000, cwd: k.dir });
  const slept = r.results.filter((x) => x.rule === "sleep-in-atomic");
  expect(slept.length).toBeGreaterThan(0);
  for (const x of slept) expect(x.message).toMatch(/\nThe kata's README forbids this: README\.md, rule 4 of "What changed": .*must not sleep\.$/);
  // Other rules cite nothing the README does not say.
  for (const x of r.results.filter((y) => !y.ok && y.rule !== "sleep-in-atomic" && y.rule !== "invalid-ops")) expect(x.message).not.toMatch(/README forbids/);
}, 120_000);
