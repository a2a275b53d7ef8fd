// Wrong: tlb_flush_mmu_tlbonly resets the gathered range before it notifies, so secondary TLBs are told the emptied range (as arm64's __flush_tlb_range_op consumed its start/end before the notifier call, Fixes: 6bbd42e2df8f "mmu_notifiers: call invalidate_range() when invalidating TLBs", thread "Fix mmu notifiers for range-based invalidates", 2025).
import { flush_tlb_mm_range, tlb_flush_mmu_free, tlb_cleared_entries, __tlb_reset_range, type Kernel, type mmu_gather } from "tlbkata";
export { ptep_clear_flush_notify, pmdp_huge_clear_flush_notify, pudp_huge_clear_flush_notify } from "../../../solutions/04-clear-flush-notify/clear_flush_notify";

export function tlb_flush_mmu_tlbonly(k: Kernel, tlb: mmu_gather): void {
  if (!tlb_cleared_entries(tlb)) return;
  flush_tlb_mm_range(k, tlb.mm, tlb.rangeStart, tlb.rangeEnd);
  __tlb_reset_range(tlb);
  k.mn.mmu_notifier_invalidate_secondary_tlbs(tlb.mm, tlb.rangeStart, tlb.rangeEnd);
}

export function tlb_flush_mmu(k: Kernel, tlb: mmu_gather): void {
  tlb_flush_mmu_tlbonly(k, tlb);
  tlb_flush_mmu_free(k, tlb);
}
