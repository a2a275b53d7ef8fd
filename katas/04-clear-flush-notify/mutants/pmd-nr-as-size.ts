// Wrong: pmdp_huge_clear_flush_notify adds HPAGE_PMD_NR (512, a count of pages) where HPAGE_PMD_SIZE (bytes) belongs: only the first 4 KiB piece is notified.
import { pmdp_huge_clear_flush, PMD_SIZE, HPAGE_PMD_NR, type Kernel, type vm_area_struct, type pte_t, type PteFate } from "tlbkata";
export { ptep_clear_flush_notify, pudp_huge_clear_flush_notify, tlb_flush_mmu_tlbonly, tlb_flush_mmu } from "../../../solutions/04-clear-flush-notify/clear_flush_notify";

export function pmdp_huge_clear_flush_notify(k: Kernel, vma: vm_area_struct, address: number, fate: PteFate): pte_t {
  const haddr = address - (address % PMD_SIZE);
  const old = pmdp_huge_clear_flush(k, vma, haddr, fate);
  k.mn.mmu_notifier_invalidate_secondary_tlbs(vma.vm_mm, haddr, haddr + HPAGE_PMD_NR);
  return old;
}
