// Wrong: hugetlb_wp passes the size where the end goes, (address, size) as for an API that takes a length: the range ends below where it starts.
import type { CallSites } from "tlbkata";
import { call_sites as ref } from "../../../solutions/04-call-sites/call_sites";

export const call_sites: CallSites = {
  ...ref,
  hugetlb_wp(site) {
    site.k.mn.mmu_notifier_invalidate_secondary_tlbs(site.mm, site.address, site.size);
  },
};
