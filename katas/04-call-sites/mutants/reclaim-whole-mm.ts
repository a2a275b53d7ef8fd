// Wrong: try_to_unmap_one tells secondary TLBs (0, ULONG_MAX), as v6.6's x86 batched reclaim flush does: every device translation of the mm is dropped for one page.
import { ULONG_MAX, type CallSites } from "tlbkata";
import { call_sites as ref } from "../../../solutions/04-call-sites/call_sites";

export const call_sites: CallSites = {
  ...ref,
  try_to_unmap_one(site) {
    if (site.branch !== "redirtied") site.k.mn.mmu_notifier_invalidate_secondary_tlbs(site.mm, 0, ULONG_MAX);
  },
};
