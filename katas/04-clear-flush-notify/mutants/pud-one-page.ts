// Wrong: pudp_huge_clear_flush_notify notifies one base page instead of the 1 GiB page: the device's other 4 KiB pieces of it stay cached.
import { pudp_huge_clear_flush, PAGE_SIZE, PUD_SIZE, type Kernel, type vm_area_struct, type pte_t, type PteFate } from "tlbkata";
export { ptep_clear_flush_notify, pmdp_huge_clear_flush_notify, tlb_flush_mmu_tlbonly, tlb_flush_mmu } from "../../../solutions/04-clear-flush-notify/clear_flush_notify";

export function pudp_huge_clear_flush_notify(k: Kernel, vma: vm_area_struct, address: number, fate: PteFate): pte_t {
  const haddr = address - (address % PUD_SIZE);
  const old = pudp_huge_clear_flush(k, vma, haddr, fate);
  k.mn.mmu_notifier_invalidate_secondary_tlbs(vma.vm_mm, haddr, haddr + PAGE_SIZE);
  return old;
}
