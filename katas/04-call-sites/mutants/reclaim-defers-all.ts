// Wrong: try_to_unmap_one never notifies, reasoning that reclaim holds a reference on the folio until after range_end (true, v6.5:mm/rmap.c:1481-1482): but a swapped-in or zero page is used at the address as soon as the ptl drops.
import type { CallSites } from "tlbkata";
import { call_sites as ref } from "../../../solutions/04-call-sites/call_sites";

export const call_sites: CallSites = {
  ...ref,
  try_to_unmap_one() {
    // (wrongly) range_end will do it: the folio cannot be freed before then.
  },
};
