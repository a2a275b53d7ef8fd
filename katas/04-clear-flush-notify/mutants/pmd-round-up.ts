// Wrong: pmdp_huge_clear_flush_notify rounds the address up to the PMD boundary (ALIGN instead of the kernel's address & HPAGE_PMD_MASK): it notifies the next 2 MiB, not the page it cleared.
import { pmdp_huge_clear_flush, PMD_SIZE, type Kernel, type vm_area_struct, type pte_t, type PteFate } from "tlbkata";
export { ptep_clear_flush_notify, pudp_huge_clear_flush_notify, tlb_flush_mmu_tlbonly, tlb_flush_mmu } from "../../../solutions/04-clear-flush-notify/clear_flush_notify";

export function pmdp_huge_clear_flush_notify(k: Kernel, vma: vm_area_struct, address: number, fate: PteFate): pte_t {
  const old = pmdp_huge_clear_flush(k, vma, address, fate);
  const haddr = Math.ceil(address / PMD_SIZE) * PMD_SIZE;
  k.mn.mmu_notifier_invalidate_secondary_tlbs(vma.vm_mm, haddr, haddr + PMD_SIZE);
  return old;
}
