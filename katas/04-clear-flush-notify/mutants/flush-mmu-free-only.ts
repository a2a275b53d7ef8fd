// Wrong: tlb_flush_mmu only frees the batch, trusting tlb_finish_mmu's final flush: every full batch is freed while the CPU and device TLBs still map it.
import { tlb_flush_mmu_free, type Kernel, type mmu_gather } from "tlbkata";
export { ptep_clear_flush_notify, pmdp_huge_clear_flush_notify, pudp_huge_clear_flush_notify, tlb_flush_mmu_tlbonly } from "../../../solutions/04-clear-flush-notify/clear_flush_notify";

export function tlb_flush_mmu(k: Kernel, tlb: mmu_gather): void {
  tlb_flush_mmu_free(k, tlb);
}
