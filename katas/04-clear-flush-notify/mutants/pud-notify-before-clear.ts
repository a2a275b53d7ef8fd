// Wrong: pudp_huge_clear_flush_notify notifies before it clears the PUD: the device refills from the still-present 1 GiB entry.
import { pudp_huge_clear_flush, PUD_SIZE, type Kernel, type vm_area_struct, type pte_t, type PteFate } from "tlbkata";
export { ptep_clear_flush_notify, pmdp_huge_clear_flush_notify, tlb_flush_mmu_tlbonly, tlb_flush_mmu } from "../../../solutions/04-clear-flush-notify/clear_flush_notify";

export function pudp_huge_clear_flush_notify(k: Kernel, vma: vm_area_struct, address: number, fate: PteFate): pte_t {
  const haddr = address - (address % PUD_SIZE);
  k.mn.mmu_notifier_invalidate_secondary_tlbs(vma.vm_mm, haddr, haddr + PUD_SIZE);
  return pudp_huge_clear_flush(k, vma, haddr, fate);
}
