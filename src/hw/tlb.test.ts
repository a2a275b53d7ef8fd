import { expect, it } from "vitest";
import { Sim } from "../sim/sim";
import { Tlb } from "./tlb";
import { PAGE_SIZE, PMD_SIZE } from "../mm/constants";

/** Footprint of fn: the slots it read and wrote. */
function footprint(sim: Sim, fn: () => void): { reads: number[]; writes: number[] } {
  sim.store.beginFootprint();
  fn();
  const fp = sim.store.endFootprint();
  return { reads: [...fp.reads], writes: [...fp.writes] };
}

const meets = (a: { reads: number[]; writes: number[] }, b: { reads: number[]; writes: number[] }): boolean =>
  a.writes.some((s) => b.reads.includes(s) || b.writes.includes(s)) || b.writes.some((s) => a.reads.includes(s));

it("a fill commutes with the free-time check of a frame it does not map, and with an invalidation of another range", () => {
  const sim = new Sim();
  const tlb = new Tlb(sim, "iotlb", "secondary");
  const A = 0x40000000;
  const B = A + 64 * PAGE_SIZE;
  tlb.fill(1, A, "pte", 0x200, false, 1);
  // B's key is new, as a device's first fill of its own page.
  const fillB = footprint(sim, () => tlb.fill(1, B, "pte", 0x300, false, 1));
  const freeA = footprint(sim, () => expect(tlb.firstEntryMapping(0x200)).not.toBeNull());
  const freeOther = footprint(sim, () => expect(tlb.firstEntryMapping(0x250)).toBeNull());
  const freeB = footprint(sim, () => expect(tlb.firstEntryMapping(0x300)).not.toBeNull());
  const invA = footprint(sim, () => expect(tlb.invalidateRange(1, A, A + PAGE_SIZE)).toBe(1));
  expect(meets(fillB, freeOther)).toBe(false);
  expect(meets(fillB, invA)).toBe(false);
  // What does depend on the fill still does.
  expect(meets(fillB, freeB)).toBe(true);
  // Asking about an unmapped frame reads only counts; about a mapped one, the entries too.
  const names = (fp: { reads: number[] }) => fp.reads.map((s) => sim.store.nameOf(s));
  expect(names(freeOther).every((n) => n.startsWith("iotlb.byframe"))).toBe(true);
  expect(names(freeA).some((n) => !n.startsWith("iotlb.byframe"))).toBe(true);
  expect(tlb.firstEntryMapping(0x200)).toBeNull();
});

it("a huge entry is found from any of its frames, aligned or not; refilling a key moves its count", () => {
  const sim = new Sim();
  const tlb = new Tlb(sim, "iotlb", "secondary");
  const frames = PMD_SIZE / PAGE_SIZE;
  // Not aligned to 512 frames: counted in the two buckets it straddles.
  tlb.fill(7, 0x40000000, "pmd", 1000, true, 2);
  for (const pfn of [1000, 1023, 1024, 1000 + frames - 1]) expect(tlb.firstEntryMapping(pfn)?.pfn).toBe(1000);
  expect(tlb.firstEntryMapping(1000 + frames)).toBeNull();
  expect(tlb.firstEntryMapping(999)).toBeNull();
  expect(tlb.firstEntryMapping(990, 10)).toBeNull();
  expect(tlb.firstEntryMapping(990, 11)?.pfn).toBe(1000);
  // The same key filled with another frame: the old frame is no longer mapped.
  tlb.fill(7, 0x40000000, "pmd", 4096, true, 3);
  expect(tlb.firstEntryMapping(1000)).toBeNull();
  expect(tlb.firstEntryMapping(4096 + 5)?.pfn).toBe(4096);
  tlb.invalidateTag(7);
  expect(tlb.firstEntryMapping(4096, frames)).toBeNull();
});

it("a cache that keeps no by-frame counts (a walk cache) writes only the entry when it fills", () => {
  const sim = new Sim();
  const wc = new Tlb(sim, "walk-cache", "secondary", false);
  const fill = footprint(sim, () => wc.fill(3, 0x40000000, "pmd", 0x123, false, 1, false));
  expect(fill.writes.map((s) => sim.store.nameOf(s).replace(/\[\d+\]$/, "")).sort()).toEqual(["walk-cache", "walk-cache.gen"]);
  expect(wc.firstEntryMapping(0x123)?.pfn).toBe(0x123);
});
