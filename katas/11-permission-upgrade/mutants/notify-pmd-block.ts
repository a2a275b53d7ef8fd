// Wrong: notifies the whole 2 MiB block around the page (address & PMD_MASK, + PMD_SIZE), as huge_ptep_set_access_flags would for a hugetlb page: a base-page upgrade flushes 511 pages for nothing.
import { set_pte_at, flush_tlb_page, PAGE_SIZE, PMD_SIZE, type Kernel, type vm_area_struct, type pte_t } from "tlbkata";
export { reproduce_livelock } from "../../../solutions/11-permission-upgrade/permission_upgrade";

export function ptep_set_access_flags(k: Kernel, vma: vm_area_struct, address: number, entry: pte_t): void {
  const addr = address - (address % PAGE_SIZE);
  set_pte_at(k, vma.vm_mm, addr, entry);
  if (k.arch.arch !== "arm64") return;
  flush_tlb_page(k, vma, addr);
  const block = address - (address % PMD_SIZE);
  k.mn.mmu_notifier_invalidate_secondary_tlbs(vma.vm_mm, block, block + PMD_SIZE);
}
