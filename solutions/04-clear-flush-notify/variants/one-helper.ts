/**
 * Kata 04-clear-flush-notify, a variant: one helper for the three entry sizes, and
 * the flush written with an early return on the gather's emptiness.
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
  type ClearFlushNotify,
} from "tlbkata";

/** Wrap a clear-and-flush helper for entries of `size` bytes with the notification. */
function withNotify(clearFlush: ClearFlushNotify, size: number): ClearFlushNotify {
  return (k, vma, address, fate) => {
    const start = Math.floor(address / size) * size;
    const old = clearFlush(k, vma, start, fate);
    k.mn.mmu_notifier_invalidate_secondary_tlbs(vma.vm_mm, start, start + size);
    return old;
  };
}

export const ptep_clear_flush_notify: (k: Kernel, vma: vm_area_struct, address: number, fate: PteFate) => pte_t = withNotify(ptep_clear_flush, PAGE_SIZE);
export const pmdp_huge_clear_flush_notify = withNotify(pmdp_huge_clear_flush, PMD_SIZE);
export const pudp_huge_clear_flush_notify = withNotify(pudp_huge_clear_flush, PUD_SIZE);

export function tlb_flush_mmu_tlbonly(k: Kernel, tlb: mmu_gather): void {
  if (tlb_cleared_entries(tlb)) {
    const [start, end] = [tlb.rangeStart, tlb.rangeEnd];
    __tlb_reset_range(tlb);
    flush_tlb_mm_range(k, tlb.mm, start, end);
    k.mn.mmu_notifier_invalidate_secondary_tlbs(tlb.mm, start, end);
  }
}

export function tlb_flush_mmu(k: Kernel, tlb: mmu_gather): void {
  tlb_flush_mmu_tlbonly(k, tlb);
  tlb_flush_mmu_free(k, tlb);
}
