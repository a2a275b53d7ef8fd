// Wrong: notifies on x86 and not on arm64: the SMMU keeps its read-only entry.
import { set_pte_at, PAGE_SIZE, type Kernel, type vm_area_struct, type pte_t } from "tlbkata";
export { reproduce_livelock } from "../../../solutions/11-permission-upgrade/permission_upgrade";

export function ptep_set_access_flags(k: Kernel, vma: vm_area_struct, address: number, entry: pte_t): void {
  set_pte_at(k, vma.vm_mm, address, entry);
  if (k.arch.arch === "x86") k.mn.mmu_notifier_invalidate_secondary_tlbs(vma.vm_mm, address, address + PAGE_SIZE);
}
