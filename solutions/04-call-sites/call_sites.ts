/**
 * Kata 04-call-sites, reference solution: notify under the ptl wherever, once the ptl
 * is dropped, the address can be used with another page (or none); leave to
 * invalidate_range_end what keeps every user on the same page until then:
 * write-protection, the unsharing of a page table, and a migration entry.
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
  try_to_migrate_one() {
    // A migration entry: CPUs that fault wait for the migration, and the contents are
    // copied only after range_end, which flushes the secondary TLB first. A device
    // write before then lands in the old page and is copied with it.
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
