// Wrong: tlb_flush_mmu_tlbonly notifies secondary TLBs but never flushes the CPU TLB.
import { tlb_flush_mmu_free, tlb_cleared_entries, __tlb_reset_range, type Kernel, type mmu_gather } from "tlbkata";
export { ptep_clear_flush_notify, pmdp_huge_clear_flush_notify, pudp_huge_clear_flush_notify } from "../../../solutions/04-clear-flush-notify/clear_flush_notify";

export function tlb_flush_mmu_tlbonly(k: Kernel, tlb: mmu_gather): void {
  if (!tlb_cleared_entries(tlb)) return;
  k.mn.mmu_notifier_invalidate_secondary_tlbs(tlb.mm, tlb.rangeStart, tlb.rangeEnd);
  __tlb_reset_range(tlb);
}

export function tlb_flush_mmu(k: Kernel, tlb: mmu_gather): void {
  tlb_flush_mmu_tlbonly(k, tlb);
  tlb_flush_mmu_free(k, tlb);
}
