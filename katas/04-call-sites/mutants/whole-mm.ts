// Wrong: the needed sites invalidate the whole address space (0, ULONG_MAX) instead of what changed.
import { ULONG_MAX, type CallSites, type CallSite } from "tlbkata";
import { call_sites as ref } from "../../../solutions/04-call-sites/call_sites";

const all = (site: CallSite): void => site.k.mn.mmu_notifier_invalidate_secondary_tlbs(site.mm, 0, ULONG_MAX);

export const call_sites: CallSites = {
  ...ref,
  try_to_unmap_one(site) {
    if (site.branch !== "redirtied") all(site);
  },
  try_to_migrate_one: all,
  hugetlb_wp: all,
};
