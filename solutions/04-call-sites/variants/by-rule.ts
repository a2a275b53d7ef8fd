/**
 * Kata 04-call-sites, a variant: one rule applied to every site. Notify when the PTE
 * no longer maps the page it mapped; leave same-page changes to range_end.
 */
import type { CallSites, CallSite, UnmapCallSite } from "tlbkata";

/** Whether, once the ptl is dropped, the address may be used with another page. */
function pageGoes(site: CallSite, kind: "gone" | "same"): boolean {
  if ("branch" in site) return (site as UnmapCallSite).branch !== "redirtied";
  return kind === "gone";
}

function site(kind: "gone" | "same"): (s: CallSite) => void {
  return (s) => {
    if (pageGoes(s, kind)) s.k.mn.mmu_notifier_invalidate_secondary_tlbs(s.mm, s.address, s.address + s.size);
  };
}

export const call_sites: CallSites = {
  try_to_unmap_one: site("gone"),
  try_to_migrate_one: site("gone"),
  hugetlb_wp: site("gone"),
  page_vma_mkclean_one: site("same"),
  change_pte_range: site("same"),
  hugetlb_unshare_pmds: site("same"),
};
