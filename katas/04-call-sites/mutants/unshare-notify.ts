// Wrong: hugetlb_unshare_pmds notifies although the hugetlb pages stay where they are.
import type { CallSites } from "tlbkata";
import { call_sites as ref } from "../../../solutions/04-call-sites/call_sites";

export const call_sites: CallSites = {
  ...ref,
  hugetlb_unshare_pmds(site) {
    site.k.mn.mmu_notifier_invalidate_secondary_tlbs(site.mm, site.address, site.address + site.size);
  },
};
