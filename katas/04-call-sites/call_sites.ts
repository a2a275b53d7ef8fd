/**
 * Kata 04-call-sites: at each call site, notify secondary TLBs under the ptl, or
 * leave it to invalidate_range_end. Read README.md first; check with
 * `npx tlbkata check 04-call-sites`.
 *
 * Each function is called with the ptl held, right after the path changed the PTE
 * (most paths have flushed the CPU TLB by then; change_pte_range and
 * hugetlb_unshare_pmds flush it later, after the lock is dropped). To notify:
 *   site.k.mn.mmu_notifier_invalidate_secondary_tlbs(site.mm, start, end);
 */
import type { CallSites, CallSite, UnmapCallSite } from "tlbkata";

// Replace each `throw` with your decision: a notification, or nothing at all.
export const call_sites: CallSites = {
  try_to_unmap_one(site: UnmapCallSite): void {
    // site.branch is "swap", "discard" or "redirtied".
    throw new Error("try_to_unmap_one: not decided yet: notify here, or leave it to invalidate_range_end");
  },
  try_to_migrate_one(site: CallSite): void {
    throw new Error("try_to_migrate_one: not decided yet: notify here, or leave it to invalidate_range_end");
  },
  hugetlb_wp(site: CallSite): void {
    // site.size is the huge page's size.
    throw new Error("hugetlb_wp: not decided yet: notify here, or leave it to invalidate_range_end");
  },
  page_vma_mkclean_one(site: CallSite): void {
    throw new Error("page_vma_mkclean_one: not decided yet: notify here, or leave it to invalidate_range_end");
  },
  change_pte_range(site: CallSite): void {
    throw new Error("change_pte_range: not decided yet: notify here, or leave it to invalidate_range_end");
  },
  hugetlb_unshare_pmds(site: CallSite): void {
    throw new Error("hugetlb_unshare_pmds: not decided yet: notify here, or leave it to invalidate_range_end");
  },
};
