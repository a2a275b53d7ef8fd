// Wrong: tlb_flush_mmu_tlbonly tells secondary TLBs (0, ULONG_MAX), as v6.6's x86 flush does above 33 pages, for every batch: each device drops every translation of the mm for a two-page batch.
import { flush_tlb_mm_range, tlb_flush_mmu_free, tlb_cleared_entries, __tlb_reset_range, ULONG_MAX, type Kernel, type mmu_gather } from "tlbkata";
export { ptep_clear_flush_notify, pmdp_huge_clear_flush_notify, pudp_huge_clear_flush_notify } from "../../../solutions/04-clear-flush-notify/clear_flush_notify";

export function tlb_flush_mmu_tlbonly(k: Kernel, tlb: mmu_gather): void {
  if (!tlb_cleared_entries(tlb)) return;
  flush_tlb_mm_range(k, tlb.mm, tlb.rangeStart, tlb.rangeEnd);
  k.mn.mmu_notifier_invalidate_secondary_tlbs(tlb.mm, 0, ULONG_MAX);
  __tlb_reset_range(tlb);
}

export function tlb_flush_mmu(k: Kernel, tlb: mmu_gather): void {
  tlb_flush_mmu_tlbonly(k, tlb);
  tlb_flush_mmu_free(k, tlb);
}
