/**
 * Kata 04-call-sites: at each call site, notify secondary TLBs under the ptl, or
 * leave it to invalidate_range_end. Read README.md first; check with
 * `npx tlbkata check 04-call-sites`.
 *
 * Each function is called with the ptl held, right after the path changed the PTE
 * and flushed the CPU TLB. To notify:
 *   site.k.mn.mmu_notifier_invalidate_secondary_tlbs(site.mm, start, end);
 */
import type { CallSites, CallSite, UnmapCallSite } from "tlbkata";

export const call_sites: CallSites = {
  try_to_unmap_one(site: UnmapCallSite): void {
    // TODO: site.branch is "swap", "discard" or "redirtied".
  },
  try_to_migrate_one(site: CallSite): void {
    // TODO
  },
  hugetlb_wp(site: CallSite): void {
    // TODO: site.size is the huge page's size.
  },
  page_vma_mkclean_one(site: CallSite): void {
    // TODO
  },
  change_pte_range(site: CallSite): void {
    // TODO
  },
  hugetlb_unshare_pmds(site: CallSite): void {
    // TODO
  },
};
