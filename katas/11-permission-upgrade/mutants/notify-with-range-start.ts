// Wrong: tells secondary TLBs with an mmu_notifier_invalidate_range_start/end pair instead of invalidate_secondary_tlbs: range_start may sleep, and here the ptl is held.
import { set_pte_at, flush_tlb_page, PAGE_SIZE, type mmu_notifier_range, type Kernel, type vm_area_struct, type pte_t } from "tlbkata";
export { reproduce_livelock } from "../../../solutions/11-permission-upgrade/permission_upgrade";

export function ptep_set_access_flags(k: Kernel, vma: vm_area_struct, address: number, entry: pte_t): void {
  const addr = address - (address % PAGE_SIZE);
  set_pte_at(k, vma.vm_mm, addr, entry);
  if (k.arch.arch !== "arm64") return;
  flush_tlb_page(k, vma, addr);
  const range: mmu_notifier_range = { mm: vma.vm_mm, start: addr, end: addr + PAGE_SIZE, event: "MMU_NOTIFY_PROTECTION_PAGE", flags: 0 };
  k.mn.mmu_notifier_invalidate_range_start(range);
  k.mn.mmu_notifier_invalidate_range_end(range);
}
