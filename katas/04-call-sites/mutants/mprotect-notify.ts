// Wrong: change_pte_range notifies under the ptl although write-protection may wait for range_end.
import type { CallSites } from "tlbkata";
import { call_sites as ref } from "../../../solutions/04-call-sites/call_sites";

export const call_sites: CallSites = {
  ...ref,
  change_pte_range(site) {
    site.k.mn.mmu_notifier_invalidate_secondary_tlbs(site.mm, site.address, site.address + site.size);
  },
};
