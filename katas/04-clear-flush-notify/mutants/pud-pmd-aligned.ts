// Wrong: pudp_huge_clear_flush_notify was copied from the PMD helper and still aligns the address to PMD_SIZE: it notifies 1 GiB from the wrong 2 MiB boundary.
import { pudp_huge_clear_flush, PMD_SIZE, PUD_SIZE, type Kernel, type vm_area_struct, type pte_t, type PteFate } from "tlbkata";
export { ptep_clear_flush_notify, pmdp_huge_clear_flush_notify, tlb_flush_mmu_tlbonly, tlb_flush_mmu } from "../../../solutions/04-clear-flush-notify/clear_flush_notify";

export function pudp_huge_clear_flush_notify(k: Kernel, vma: vm_area_struct, address: number, fate: PteFate): pte_t {
  const old = pudp_huge_clear_flush(k, vma, address, fate);
  const haddr = address - (address % PMD_SIZE);
  k.mn.mmu_notifier_invalidate_secondary_tlbs(vma.vm_mm, haddr, haddr + PUD_SIZE);
  return old;
}
