/**
 * Kata 04-clear-flush-notify, reference solution: the RFC's clear-flush-notify helpers
 * and the mmu_gather flush.
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

/** Clear the PTE, flush the CPU TLB for it, then tell secondary TLBs about that one page. */
export function ptep_clear_flush_notify(k: Kernel, vma: vm_area_struct, address: number, fate: PteFate): pte_t {
  const addr = address - (address % PAGE_SIZE);
  const old = ptep_clear_flush(k, vma, addr, fate);
  k.mn.mmu_notifier_invalidate_secondary_tlbs(vma.vm_mm, addr, addr + PAGE_SIZE);
  return old;
}

/** The same for the PMD-sized page that contains `address`. */
export function pmdp_huge_clear_flush_notify(k: Kernel, vma: vm_area_struct, address: number, fate: PteFate): pte_t {
  const haddr = address - (address % PMD_SIZE);
  const old = pmdp_huge_clear_flush(k, vma, haddr, fate);
  k.mn.mmu_notifier_invalidate_secondary_tlbs(vma.vm_mm, haddr, haddr + PMD_SIZE);
  return old;
}

/** The same for the PUD-sized page that contains `address`. */
export function pudp_huge_clear_flush_notify(k: Kernel, vma: vm_area_struct, address: number, fate: PteFate): pte_t {
  const haddr = address - (address % PUD_SIZE);
  const old = pudp_huge_clear_flush(k, vma, haddr, fate);
  k.mn.mmu_notifier_invalidate_secondary_tlbs(vma.vm_mm, haddr, haddr + PUD_SIZE);
  return old;
}

/** Flush the CPU TLB for what was gathered, tell secondary TLBs the same range, forget it. */
export function tlb_flush_mmu_tlbonly(k: Kernel, tlb: mmu_gather): void {
  if (!tlb_cleared_entries(tlb)) return;
  const start = tlb.rangeStart;
  const end = tlb.rangeEnd;
  flush_tlb_mm_range(k, tlb.mm, start, end);
  k.mn.mmu_notifier_invalidate_secondary_tlbs(tlb.mm, start, end);
  __tlb_reset_range(tlb);
}

/** Flush first, then free the gathered pages. */
export function tlb_flush_mmu(k: Kernel, tlb: mmu_gather): void {
  tlb_flush_mmu_tlbonly(k, tlb);
  tlb_flush_mmu_free(k, tlb);
}
