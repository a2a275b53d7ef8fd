// Wrong: tlb_flush_mmu_tlbonly computes the number of pages gathered and adds it to start without shifting it back to bytes: the notification covers the first page only.
import { flush_tlb_mm_range, tlb_flush_mmu_free, tlb_cleared_entries, __tlb_reset_range, PAGE_SIZE, type Kernel, type mmu_gather } from "tlbkata";
export { ptep_clear_flush_notify, pmdp_huge_clear_flush_notify, pudp_huge_clear_flush_notify } from "../../../solutions/04-clear-flush-notify/clear_flush_notify";

export function tlb_flush_mmu_tlbonly(k: Kernel, tlb: mmu_gather): void {
  if (!tlb_cleared_entries(tlb)) return;
  const start = tlb.rangeStart;
  const nr = (tlb.rangeEnd - start) / PAGE_SIZE;
  flush_tlb_mm_range(k, tlb.mm, start, tlb.rangeEnd);
  k.mn.mmu_notifier_invalidate_secondary_tlbs(tlb.mm, start, start + nr);
  __tlb_reset_range(tlb);
}

export function tlb_flush_mmu(k: Kernel, tlb: mmu_gather): void {
  tlb_flush_mmu_tlbonly(k, tlb);
  tlb_flush_mmu_free(k, tlb);
}
