// Wrong: hugetlb_wp notifies only the first 4 KiB of the 2 MiB page.
import { PAGE_SIZE, type CallSites } from "tlbkata";
import { call_sites as ref } from "../../../solutions/04-call-sites/call_sites";

export const call_sites: CallSites = {
  ...ref,
  hugetlb_wp(site) {
    site.k.mn.mmu_notifier_invalidate_secondary_tlbs(site.mm, site.address, site.address + PAGE_SIZE);
  },
};
