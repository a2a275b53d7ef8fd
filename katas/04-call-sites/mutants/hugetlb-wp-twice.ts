// Wrong: hugetlb_wp notifies the faulting 4 KiB page and then the whole 2 MiB page: two invalidations, each with its wait, for one change.
import { PAGE_SIZE, type CallSites } from "tlbkata";
import { call_sites as ref } from "../../../solutions/04-call-sites/call_sites";

export const call_sites: CallSites = {
  ...ref,
  hugetlb_wp(site) {
    site.k.mn.mmu_notifier_invalidate_secondary_tlbs(site.mm, site.address, site.address + PAGE_SIZE);
    site.k.mn.mmu_notifier_invalidate_secondary_tlbs(site.mm, site.address, site.address + site.size);
  },
};
