// Wrong: every call site notifies, including those that may leave it to invalidate_range_end.
import type { CallSites, CallSite } from "tlbkata";

const notify = (site: CallSite): void => site.k.mn.mmu_notifier_invalidate_secondary_tlbs(site.mm, site.address, site.address + site.size);

export const call_sites: CallSites = {
  try_to_unmap_one: notify,
  try_to_migrate_one: notify,
  hugetlb_wp: notify,
  page_vma_mkclean_one: notify,
  change_pte_range: notify,
  hugetlb_unshare_pmds: notify,
};
