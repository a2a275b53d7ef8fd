// Wrong: hugetlb_wp adds HPAGE_PMD_NR (512, a number of pages) where the size in bytes belongs: only the first 4 KiB piece is notified.
import { HPAGE_PMD_NR, type CallSites } from "tlbkata";
import { call_sites as ref } from "../../../solutions/04-call-sites/call_sites";

export const call_sites: CallSites = {
  ...ref,
  hugetlb_wp(site) {
    site.k.mn.mmu_notifier_invalidate_secondary_tlbs(site.mm, site.address, site.address + HPAGE_PMD_NR);
  },
};
