// Wrong: notifies on every architecture: x86 pays an invalidation on each upgrade for nothing.
import { set_pte_at, PAGE_SIZE, type Kernel, type vm_area_struct, type pte_t } from "tlbkata";
export { reproduce_livelock } from "../../../solutions/11-permission-upgrade/permission_upgrade";

export function ptep_set_access_flags(k: Kernel, vma: vm_area_struct, address: number, entry: pte_t): void {
  set_pte_at(k, vma.vm_mm, address, entry);
  k.mn.mmu_notifier_invalidate_secondary_tlbs(vma.vm_mm, address, address + PAGE_SIZE);
}
