/**
 * Walking a huge, sparsely populated range: kernel paths unroll their steps per PMD
 * region, and skip regions with no page table the way zap_pud_range/change_pmd_range
 * skip none entries, so that a 4 GiB VMA with a few pages in use costs steps only
 * where pages are.
 */
import type { mm_struct } from "./mm";
import { Cell, type Store } from "../sim/store";
import { PMD_SIZE, PUD_SIZE, hex } from "./constants";

/** Regions a range may span before its unrolled steps cost too much memory (64 GiB). */
export const MAX_PMD_REGIONS = 32768;

/** The start of every PMD region [start, end) touches, in order. */
export function pmdRegions(start: number, end: number): number[] {
  const first = Math.floor(start / PMD_SIZE) * PMD_SIZE;
  const n = Math.ceil((end - first) / PMD_SIZE);
  if (!(n <= MAX_PMD_REGIONS)) {
    throw new RangeError(`[${hex(start)}, ${hex(end)}) spans ${n} PMD regions; a kernel path in the simulation walks at most ${MAX_PMD_REGIONS} (${(MAX_PMD_REGIONS * PMD_SIZE) / 2 ** 30} GiB)`);
  }
  return Array.from({ length: Math.max(n, 0) }, (_, i) => first + i * PMD_SIZE);
}

/**
 * The index of the first region from `from` on whose PMD entry is in use (a table or a
 * huge mapping), or regions.length. Empty PUD entries are skipped whole.
 */
export function nextRegionInUse(mm: mm_struct, regions: readonly number[], from: number): number {
  let i = from;
  while (i < regions.length) {
    const r = regions[i]!;
    if (mm.pgd.get_pud(r) === 0) {
      const nextPud = (Math.floor(r / PUD_SIZE) + 1) * PUD_SIZE;
      while (i < regions.length && regions[i]! < nextPud) i++;
      continue;
    }
    if (mm.pgd.get_pmd(r) !== 0) return i;
    i++;
  }
  return i;
}

const HALF = 2 ** 31;

/**
 * An integer up to 2^53 in two store slots (a slot holds 32 bits): the page number of
 * any user address, where one slot would wrap above 8 TiB. Zero in both slots is 0.
 */
export class WideCell {
  private readonly lo: Cell;
  private readonly hi: Cell;
  constructor(store: Store, name: string) {
    this.lo = new Cell(store, name);
    this.hi = new Cell(store, `${name}.hi`);
  }
  get value(): number {
    return this.hi.value * HALF + this.lo.value;
  }
  set value(v: number) {
    const h = Math.floor(v / HALF);
    this.lo.value = v - h * HALF;
    // Below 2^43 the high slot stays 0 and is never written: same footprint as one slot.
    if (h !== 0 || this.hi.value !== 0) this.hi.value = h;
  }
}
