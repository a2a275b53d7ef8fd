// Wrong: the kernel before patch 2/2: arm64 flushes its CPU TLB for the upgrade, which in the RFC no SMMU hears (mainline never enables BTM).
import { set_pte_at, flush_tlb_page, type Kernel, type vm_area_struct, type pte_t } from "tlbkata";
export { reproduce_livelock } from "../../../solutions/11-permission-upgrade/permission_upgrade";

export function ptep_set_access_flags(k: Kernel, vma: vm_area_struct, address: number, entry: pte_t): void {
  set_pte_at(k, vma.vm_mm, address, entry);
  if (k.arch.arch === "arm64") flush_tlb_page(k, vma, address);
}
