/**
 * A learner's broken file gives a readable failure naming the kata and the line, and
 * only that implementation's cases fail: the run goes on.
 */
import { test, expect } from "vitest";
import * as path from "path";
import { findKata } from "tlbkata";
import { ROOT, loadImpl, loadKata, runOn, runHidden } from "./harness";

const kata = findKata(ROOT, "05")!;
const k = await loadKata(kata);
const fixture = (f: string) => path.join(__dirname, "fixtures", f);

test("a syntax error names the kata, the file and the line", async () => {
  const loaded = await loadImpl(kata, fixture("syntax-error.ts"));
  expect(loaded.ok).toBe(false);
  const rs = runOn(k.visible!, loaded);
  expect(rs.every((r) => !r.ok)).toBe(true);
  expect(rs[0]!.message).toMatch(/^kata 05-amd-iommu-v2: syntax-error\.ts could not be loaded: .*\(syntax-error\.ts:5\)$/);
});

test("an exception at load time names the kata and the line", async () => {
  const loaded = await loadImpl(kata, fixture("throws-at-load.ts"));
  expect(loaded.ok).toBe(false);
  if (!loaded.ok) expect(loaded.message).toMatch(/kata 05-amd-iommu-v2: throws-at-load\.ts could not be loaded: half-finished edit \(throws-at-load\.ts:3\)/);
});

test("an exception in a callback fails the case as an oops at the learner's line, and the other cases still run", async () => {
  const loaded = await loadImpl(kata, fixture("throws-in-callback.ts"));
  expect(loaded.ok).toBe(true);
  const rs = runHidden(k, loaded);
  expect(rs.length).toBeGreaterThan(5);
  const oops = rs.find((r) => r.rule === "driver-crash");
  expect(oops?.message).toMatch(/invalidate_secondary_tlbs threw: cannot read properties of undefined \(reading 'iommu'\) \(at throws-in-callback\.ts:6\)/);
});

test("a missing export is named", async () => {
  const loaded = await loadImpl(kata, fixture("missing-export.ts"));
  expect(loaded.ok).toBe(false);
  if (!loaded.ok) expect(loaded.message).toBe("kata 05-amd-iommu-v2: amd_iommu_v2.ts does not export `iommu_mn` (kata 05-amd-iommu-v2 needs iommu_mn)");
});

