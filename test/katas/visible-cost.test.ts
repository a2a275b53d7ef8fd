/**
 * Each driver kata's visible tests include one cheap cost check, so that a driver
 * with the wrong cost does not show "visible tests pass": the per-page loop in 05
 * and 06, and in 08 (where link.c does loop page by page) shootdowns of the wrong
 * width. The reference solution passes every visible test.
 */
import { describe, expect, test } from "vitest";
import * as path from "path";
import { findKata } from "tlbkata";
import { ROOT, loadKata, loadImpl, runOn } from "./harness";

/** Kata, and the mutants whose only visible failure must be the cost case. */
const CASES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["05-amd-iommu-v2", ["per-page-loop"]],
  ["06-arm-smmu-v3-sva", ["per-page-ulong-max"]],
  ["07-intel-svm", ["per-page-loop"]],
  ["08-ocxl", ["whole-pid-scope", "step-2m", "ap-64k"]],
];

describe.each(CASES)("%s", (id, mutants) => {
  test("the solution passes every visible test, the cost check included", async () => {
    const k = await loadKata(findKata(ROOT, id)!);
    const rs = runOn(k.visible!, await loadImpl(k.kata, k.kata.solution!));
    expect(rs.filter((r) => !r.ok).map((r) => `${r.name}: ${r.message}`)).toEqual([]);
    expect(rs.some((r) => /run straight: a 1024-page range/.test(r.name))).toBe(true);
  });

  test.each(mutants)("mutant %s fails the visible cost check", async (m) => {
    const k = await loadKata(findKata(ROOT, id)!);
    const rs = runOn(k.visible!, await loadImpl(k.kata, path.join(k.kata.dir, "mutants", `${m}.ts`)));
    const failed = rs.filter((r) => !r.ok);
    const cost = failed.filter((r) => /^mprotect-huge, run straight: a 1024-page range/.test(r.name));
    expect(cost).toHaveLength(1);
    // step-2m also leaves a page writable, which the same run reports first.
    expect(cost[0]!.message).toMatch(/mprotect of 1024 pages: \d+ call\(s\) of invalidate_secondary_tlbs|stale-write-permission/);
    // The one other visible test a per-page loop may fail: a range wider than 32 bits (05, 06), for the same flood.
    for (const r of failed.filter((x) => !cost.includes(x))) expect(`${r.name}: ${r.message}`).toMatch(/^munmap of \[4 GiB, 8 GiB \+ 4 KiB\).*\[invalidation-flood\]/s);
  });
});
