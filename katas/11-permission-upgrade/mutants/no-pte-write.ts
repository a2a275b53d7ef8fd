// Wrong: notifies but never installs the writable entry: every write faults again.
import { PAGE_SIZE, type Kernel, type vm_area_struct, type pte_t } from "tlbkata";
export { reproduce_livelock } from "../../../solutions/11-permission-upgrade/permission_upgrade";

export function ptep_set_access_flags(k: Kernel, vma: vm_area_struct, address: number, _entry: pte_t): void {
  if (k.arch.arch === "arm64") k.mn.mmu_notifier_invalidate_secondary_tlbs(vma.vm_mm, address, address + PAGE_SIZE);
}
