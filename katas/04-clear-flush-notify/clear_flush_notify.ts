/**
 * Kata 04-clear-flush-notify: the RFC's clear-flush-notify helpers and the mmu_gather
 * flush. Read README.md first; check with `npx tlbkata check 04-clear-flush-notify`.
 *
 * Fill in the five functions marked TODO. Each replaces the simulated kernel's own.
 */
import {
  ptep_clear_flush,
  pmdp_huge_clear_flush,
  pudp_huge_clear_flush,
  flush_tlb_mm_range,
  tlb_flush_mmu_free,
  tlb_cleared_entries,
  __tlb_reset_range,
  PAGE_SIZE,
  PMD_SIZE,
  PUD_SIZE,
  type Kernel,
  type vm_area_struct,
  type mmu_gather,
  type pte_t,
  type PteFate,
} from "tlbkata";

/**
 * Clear the PTE for `address`, flush the CPU TLB for it, and invalidate secondary
 * TLBs for that base page. Called with the ptl held. Returns the old PTE.
 */
export function ptep_clear_flush_notify(k: Kernel, vma: vm_area_struct, address: number, fate: PteFate): pte_t {
  // TODO: ptep_clear_flush(), then k.mn.mmu_notifier_invalidate_secondary_tlbs(...).
  throw new Error("ptep_clear_flush_notify: not implemented yet");
}

/** The same for the PMD-sized page that contains `address` (any address inside it). */
export function pmdp_huge_clear_flush_notify(k: Kernel, vma: vm_area_struct, address: number, fate: PteFate): pte_t {
  // TODO
  throw new Error("pmdp_huge_clear_flush_notify: not implemented yet");
}

/** The same for the PUD-sized page that contains `address`. */
export function pudp_huge_clear_flush_notify(k: Kernel, vma: vm_area_struct, address: number, fate: PteFate): pte_t {
  // TODO
  throw new Error("pudp_huge_clear_flush_notify: not implemented yet");
}

/**
 * Flush the CPU TLB for the range gathered since the last flush, invalidate secondary
 * TLBs for the same range, and reset the range. Nothing gathered: nothing to do.
 */
export function tlb_flush_mmu_tlbonly(k: Kernel, tlb: mmu_gather): void {
  // TODO: tlb_cleared_entries(), tlb.rangeStart / tlb.rangeEnd, __tlb_reset_range().
  throw new Error("tlb_flush_mmu_tlbonly: not implemented yet");
}

/** Flush what was gathered, then free the gathered pages. */
export function tlb_flush_mmu(k: Kernel, tlb: mmu_gather): void {
  // TODO: tlb_flush_mmu_tlbonly() and tlb_flush_mmu_free(), in the right order.
  throw new Error("tlb_flush_mmu: not implemented yet");
}
