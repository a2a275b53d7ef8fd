/**
 * free_pgtables() for munmap and exit: once a range's PTEs are zapped, the page tables
 * that no VMA needs any more are unlinked and handed to the mmu_gather, which frees
 * them after its TLB flush (tlb_finish_mmu). exit_mmap frees every table; munmap
 * (unmap_region) those of the regions the unmapped range leaves unused. Only with
 * model.freePageTables: otherwise tables stay, as in the first model.
 */
import type { Kernel } from "./kernel";
import type { mm_struct } from "../mm/mm";
import type { mmu_gather } from "./mmu_gather";
import { pmdRegions } from "../mm/sparse";

/**
 * The PMD regions whose tables free_pgtables may look at after [start, end) of mm is
 * unmapped (every VMA's when `whole`, as exit_mmap frees them all), computed at build
 * time, sorted. Tells the IOMMUs that this world frees page tables.
 */
export function pgtableRegions(k: Kernel, mm: mm_struct, start: number, end: number, whole = false): number[] {
  k.phys.pageTablesFreed = true;
  if (!whole) return pmdRegions(start, end);
  const all = new Set<number>();
  for (const v of mm.vmas) for (const r of pmdRegions(v.vm_start, v.vm_end)) all.add(r);
  return [...all].sort((a, b) => a - b);
}

/**
 * Unlink the tables of `regions` that no live VMA needs outside [start, end) and give
 * them to `tlb` (pte_free_tlb). Runs inside a step, after the zap of [start, end).
 */
export function free_pgtables(k: Kernel, mm: mm_struct, tlb: mmu_gather, regions: readonly number[], start: number, end: number): void {
  if (!k.sim.model.freePageTables) return;
  const inUse = (lo: number, hi: number): boolean => {
    for (const v of mm.vmas) {
      if (!v.alive) continue;
      const a = Math.max(v.vm_start, lo);
      const b = Math.min(v.vm_end, hi);
      if (a < b && (a < start || b > end)) return true;
    }
    return false;
  };
  mm.pgd.free_pgtables(regions, inUse, (addr, pfn) => tlb.pte_free_tlb(addr, pfn));
}
