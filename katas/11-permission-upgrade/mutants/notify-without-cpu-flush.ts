// Wrong: adds patch 2/2's notification but drops arm64's own flush_tlb_page: the CPU keeps its cached read-only entry, and on a v6.6 kernel it is that flush which tells the SMMU.
import { set_pte_at, PAGE_SIZE, type Kernel, type vm_area_struct, type pte_t } from "tlbkata";
export { reproduce_livelock } from "../../../solutions/11-permission-upgrade/permission_upgrade";

export function ptep_set_access_flags(k: Kernel, vma: vm_area_struct, address: number, entry: pte_t): void {
  const addr = address - (address % PAGE_SIZE);
  set_pte_at(k, vma.vm_mm, addr, entry);
  if (k.arch.arch === "arm64") k.mn.mmu_notifier_invalidate_secondary_tlbs(vma.vm_mm, addr, addr + PAGE_SIZE);
}
