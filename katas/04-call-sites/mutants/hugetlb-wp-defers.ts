// Wrong: hugetlb_wp leaves the secondary flush to range_end, as for hugetlb_unshare_pmds ("hugetlb pages stay in their file"): but the copy is mapped and written as soon as the ptl drops (the kernel notifies here, v6.5:mm/hugetlb.c:5719-5731).
import type { CallSites } from "tlbkata";
import { call_sites as ref } from "../../../solutions/04-call-sites/call_sites";

export const call_sites: CallSites = {
  ...ref,
  hugetlb_wp() {
    // (wrongly) same file, range_end is enough.
  },
};
