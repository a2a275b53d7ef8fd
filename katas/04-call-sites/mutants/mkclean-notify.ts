// Wrong: page_vma_mkclean_one notifies under the ptl, as page_mkclean_one did until 0f10851ea475 "mm/mmu_notifier: avoid double notification when it is useless" (2017): write-protecting the same page may wait for range_end.
import type { CallSites } from "tlbkata";
import { call_sites as ref } from "../../../solutions/04-call-sites/call_sites";

export const call_sites: CallSites = {
  ...ref,
  page_vma_mkclean_one(site) {
    site.k.mn.mmu_notifier_invalidate_secondary_tlbs(site.mm, site.address, site.address + site.size);
  },
};
