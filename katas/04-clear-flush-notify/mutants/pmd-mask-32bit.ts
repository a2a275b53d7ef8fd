// Wrong: pmdp_huge_clear_flush_notify aligns with `address & ~(PMD_SIZE - 1)`, the kernel's HPAGE_PMD_MASK idiom, but JavaScript's & works on 32 bits (as an unsigned int mask would in C): above 4 GiB it notifies a low address.
import { pmdp_huge_clear_flush, PMD_SIZE, type Kernel, type vm_area_struct, type pte_t, type PteFate } from "tlbkata";
export { ptep_clear_flush_notify, pudp_huge_clear_flush_notify, tlb_flush_mmu_tlbonly, tlb_flush_mmu } from "../../../solutions/04-clear-flush-notify/clear_flush_notify";

export function pmdp_huge_clear_flush_notify(k: Kernel, vma: vm_area_struct, address: number, fate: PteFate): pte_t {
  const haddr = (address & ~(PMD_SIZE - 1)) >>> 0;
  const old = pmdp_huge_clear_flush(k, vma, address, fate);
  k.mn.mmu_notifier_invalidate_secondary_tlbs(vma.vm_mm, haddr, haddr + PMD_SIZE);
  return old;
}
