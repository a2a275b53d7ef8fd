// Wrong: ptep_clear_flush_notify takes the page-table lock itself to notify "under the ptl", but its caller already holds it: the CPU spins on its own lock.
import { ptep_clear_flush, entry_lock, PAGE_SIZE, type Kernel, type vm_area_struct, type pte_t, type PteFate } from "tlbkata";
export { pmdp_huge_clear_flush_notify, pudp_huge_clear_flush_notify, tlb_flush_mmu_tlbonly, tlb_flush_mmu } from "../../../solutions/04-clear-flush-notify/clear_flush_notify";

export function ptep_clear_flush_notify(k: Kernel, vma: vm_area_struct, address: number, fate: PteFate): pte_t {
  const addr = address - (address % PAGE_SIZE);
  const old = ptep_clear_flush(k, vma, addr, fate);
  const ptl = entry_lock(vma.vm_mm, addr, "pte");
  ptl.spin_lock();
  k.mn.mmu_notifier_invalidate_secondary_tlbs(vma.vm_mm, addr, addr + PAGE_SIZE);
  ptl.spin_unlock();
  return old;
}
