// Wrong: tlb_flush_mmu_tlbonly flushes the CPU TLB but tells no secondary TLB, leaving it to range_end: munmap frees each full batch before then (the RFC's reason for the call in tlb_flush_mmu_tlbonly).
import { flush_tlb_mm_range, tlb_flush_mmu_free, tlb_cleared_entries, __tlb_reset_range, type Kernel, type mmu_gather } from "tlbkata";
export { ptep_clear_flush_notify, pmdp_huge_clear_flush_notify, pudp_huge_clear_flush_notify } from "../../../solutions/04-clear-flush-notify/clear_flush_notify";

export function tlb_flush_mmu_tlbonly(k: Kernel, tlb: mmu_gather): void {
  if (!tlb_cleared_entries(tlb)) return;
  flush_tlb_mm_range(k, tlb.mm, tlb.rangeStart, tlb.rangeEnd);
  __tlb_reset_range(tlb);
}

export function tlb_flush_mmu(k: Kernel, tlb: mmu_gather): void {
  tlb_flush_mmu_tlbonly(k, tlb);
  tlb_flush_mmu_free(k, tlb);
}
