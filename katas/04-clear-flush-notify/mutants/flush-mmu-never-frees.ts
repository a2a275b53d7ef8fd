// Wrong: tlb_flush_mmu flushes and notifies but never frees the gathered pages (no tlb_flush_mmu_free): coherent, and every page munmap takes out leaks.
import { type Kernel, type mmu_gather } from "tlbkata";
import { tlb_flush_mmu_tlbonly } from "../../../solutions/04-clear-flush-notify/clear_flush_notify";
export { ptep_clear_flush_notify, pmdp_huge_clear_flush_notify, pudp_huge_clear_flush_notify, tlb_flush_mmu_tlbonly } from "../../../solutions/04-clear-flush-notify/clear_flush_notify";

export function tlb_flush_mmu(k: Kernel, tlb: mmu_gather): void {
  tlb_flush_mmu_tlbonly(k, tlb);
}
