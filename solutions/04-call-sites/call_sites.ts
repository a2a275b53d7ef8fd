/**
 * Kata 04-call-sites, reference solution: notify under the ptl wherever the PTE stops
 * mapping a page that will go away or be replaced; leave write-protection (and the
 * unsharing of a page table) to invalidate_range_end.
 */
import type { CallSites, CallSite } from "tlbkata";

/** The kernel's call: invalidate secondary TLBs for what the site changed. */
function notify(site: CallSite): void {
  site.k.mn.mmu_notifier_invalidate_secondary_tlbs(site.mm, site.address, site.address + site.size);
}

export const call_sites: CallSites = {
  try_to_unmap_one(site) {
    // Swapped out or discarded: the page goes. Redirtied: the same PTE is back.
    if (site.branch !== "redirtied") notify(site);
  },
  try_to_migrate_one(site) {
    notify(site);
  },
  hugetlb_wp(site) {
    notify(site);
  },
  page_vma_mkclean_one() {
    // Same page, write permission removed: range_end flushes the secondary TLB.
  },
  change_pte_range() {
    // Same pages, write permission removed: range_end does it, once for the range.
  },
  hugetlb_unshare_pmds() {
    // The pages stay where they are: range_end does it.
  },
};
