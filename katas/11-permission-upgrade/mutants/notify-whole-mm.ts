// Wrong: invalidates the whole address space (0, ULONG_MAX) for a one-page upgrade.
import { set_pte_at, ULONG_MAX, type Kernel, type vm_area_struct, type pte_t } from "tlbkata";
export { reproduce_livelock } from "../../../solutions/11-permission-upgrade/permission_upgrade";

export function ptep_set_access_flags(k: Kernel, vma: vm_area_struct, address: number, entry: pte_t): void {
  set_pte_at(k, vma.vm_mm, address, entry);
  if (k.arch.arch === "arm64") k.mn.mmu_notifier_invalidate_secondary_tlbs(vma.vm_mm, 0, ULONG_MAX);
}
