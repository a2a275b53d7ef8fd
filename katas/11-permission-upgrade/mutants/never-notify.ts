// Wrong: upgrades the PTE and neither flushes the CPU TLB nor notifies: livelocks even on a v6.6 kernel, whose flush_tlb_page would have told the SMMU.
import { set_pte_at, type Kernel, type vm_area_struct, type pte_t } from "tlbkata";
export { reproduce_livelock } from "../../../solutions/11-permission-upgrade/permission_upgrade";

export function ptep_set_access_flags(k: Kernel, vma: vm_area_struct, address: number, entry: pte_t): void {
  set_pte_at(k, vma.vm_mm, address, entry);
}
