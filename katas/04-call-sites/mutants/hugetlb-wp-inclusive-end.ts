// Wrong: hugetlb_wp passes the last byte (address + size - 1) as the end, an inclusive end where the notifier's end is exclusive.
import type { CallSites } from "tlbkata";
import { call_sites as ref } from "../../../solutions/04-call-sites/call_sites";

export const call_sites: CallSites = {
  ...ref,
  hugetlb_wp(site) {
    site.k.mn.mmu_notifier_invalidate_secondary_tlbs(site.mm, site.address, site.address + site.size - 1);
  },
};
