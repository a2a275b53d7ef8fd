// Wrong: tlb_flush_mmu frees the gathered pages first and flushes (tlb_flush_mmu_tlbonly) after.
import { tlb_flush_mmu_free, type Kernel, type mmu_gather } from "tlbkata";
import { tlb_flush_mmu_tlbonly } from "../../../solutions/04-clear-flush-notify/clear_flush_notify";
export { ptep_clear_flush_notify, pmdp_huge_clear_flush_notify, pudp_huge_clear_flush_notify, tlb_flush_mmu_tlbonly } from "../../../solutions/04-clear-flush-notify/clear_flush_notify";

export function tlb_flush_mmu(k: Kernel, tlb: mmu_gather): void {
  tlb_flush_mmu_free(k, tlb);
  tlb_flush_mmu_tlbonly(k, tlb);
}
