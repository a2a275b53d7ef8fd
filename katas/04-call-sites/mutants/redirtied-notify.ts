// Wrong: try_to_unmap_one notifies in every branch, also when the redirtied PTE was put back unchanged.
import type { CallSites } from "tlbkata";
import { call_sites as ref } from "../../../solutions/04-call-sites/call_sites";

export const call_sites: CallSites = {
  ...ref,
  try_to_unmap_one(site) {
    site.k.mn.mmu_notifier_invalidate_secondary_tlbs(site.mm, site.address, site.address + site.size);
  },
};
