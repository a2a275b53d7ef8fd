// Wrong: try_to_unmap_one notifies only for a discarded lazy-free page, not when the page goes to swap.
import type { CallSites } from "tlbkata";
import { call_sites as ref } from "../../../solutions/04-call-sites/call_sites";

export const call_sites: CallSites = {
  ...ref,
  try_to_unmap_one(site) {
    if (site.branch === "discard") site.k.mn.mmu_notifier_invalidate_secondary_tlbs(site.mm, site.address, site.address + site.size);
  },
};
