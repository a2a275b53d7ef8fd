// Wrong: hugetlb_wp notifies each 4 KiB page of the huge page separately: 512 invalidations for one.
import { PAGE_SIZE, type CallSites } from "tlbkata";
import { call_sites as ref } from "../../../solutions/04-call-sites/call_sites";

export const call_sites: CallSites = {
  ...ref,
  hugetlb_wp(site) {
    for (let a = site.address; a < site.address + site.size; a += PAGE_SIZE) site.k.mn.mmu_notifier_invalidate_secondary_tlbs(site.mm, a, a + PAGE_SIZE);
  },
};
