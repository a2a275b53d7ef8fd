// Wrong: tlb_flush_mmu_tlbonly flushes and notifies even when nothing was gathered since the last flush.
import { flush_tlb_mm_range, tlb_flush_mmu_free, __tlb_reset_range, type Kernel, type mmu_gather } from "tlbkata";
export { ptep_clear_flush_notify, pmdp_huge_clear_flush_notify, pudp_huge_clear_flush_notify } from "../../../solutions/04-clear-flush-notify/clear_flush_notify";

export function tlb_flush_mmu_tlbonly(k: Kernel, tlb: mmu_gather): void {
  const start = tlb.rangeStart;
  const end = tlb.rangeEnd;
  flush_tlb_mm_range(k, tlb.mm, start, end);
  k.mn.mmu_notifier_invalidate_secondary_tlbs(tlb.mm, start, end);
  __tlb_reset_range(tlb);
}

export function tlb_flush_mmu(k: Kernel, tlb: mmu_gather): void {
  tlb_flush_mmu_tlbonly(k, tlb);
  tlb_flush_mmu_free(k, tlb);
}
