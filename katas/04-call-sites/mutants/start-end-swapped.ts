// Wrong: try_to_unmap_one passes (end, start) to mmu_notifier_invalidate_secondary_tlbs: an empty range, nothing is invalidated.
import type { CallSites } from "tlbkata";
import { call_sites as ref } from "../../../solutions/04-call-sites/call_sites";

export const call_sites: CallSites = {
  ...ref,
  try_to_unmap_one(site) {
    if (site.branch !== "redirtied") site.k.mn.mmu_notifier_invalidate_secondary_tlbs(site.mm, site.address + site.size, site.address);
  },
};
