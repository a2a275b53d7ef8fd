// Wrong: ptep_clear_flush_notify notifies [address, address + PAGE_SIZE) with the address as it came: for an address inside the page the range straddles it and the next one.
import { ptep_clear_flush, PAGE_SIZE, type Kernel, type vm_area_struct, type pte_t, type PteFate } from "tlbkata";
export { pmdp_huge_clear_flush_notify, pudp_huge_clear_flush_notify, tlb_flush_mmu_tlbonly, tlb_flush_mmu } from "../../../solutions/04-clear-flush-notify/clear_flush_notify";

export function ptep_clear_flush_notify(k: Kernel, vma: vm_area_struct, address: number, fate: PteFate): pte_t {
  const old = ptep_clear_flush(k, vma, address, fate);
  k.mn.mmu_notifier_invalidate_secondary_tlbs(vma.vm_mm, address, address + PAGE_SIZE);
  return old;
}
