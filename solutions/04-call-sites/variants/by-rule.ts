/**
 * Kata 04-call-sites, a variant: one question asked of every site. Once the ptl is
 * dropped, can the address be used with another page (or none)? Then notify now.
 * Otherwise every user stays on the same page until range_end, which does it.
 */
import type { CallSites, CallSite, UnmapCallSite } from "tlbkata";

/** Whether another page (or none) can be used at the address as soon as the ptl is dropped. */
function anotherPageNow(site: CallSite, when: "now" | "after-range-end"): boolean {
  if ("branch" in site) return (site as UnmapCallSite).branch !== "redirtied";
  return when === "now";
}

function site(when: "now" | "after-range-end"): (s: CallSite) => void {
  return (s) => {
    if (anotherPageNow(s, when)) s.k.mn.mmu_notifier_invalidate_secondary_tlbs(s.mm, s.address, s.address + s.size);
  };
}

export const call_sites: CallSites = {
  try_to_unmap_one: site("now"),
  // The new page is mapped only after range_end and the copy; faulting CPUs wait.
  try_to_migrate_one: site("after-range-end"),
  hugetlb_wp: site("now"),
  page_vma_mkclean_one: site("after-range-end"),
  change_pte_range: site("after-range-end"),
  hugetlb_unshare_pmds: site("after-range-end"),
};
