// Wrong: leaves the starter's throw in try_to_unmap_one's redirtied branch: the site that must send nothing was never decided (an oops when reclaim puts the PTE back).
import type { CallSites } from "tlbkata";
import { call_sites as ref } from "../../../solutions/04-call-sites/call_sites";

export const call_sites: CallSites = {
  ...ref,
  try_to_unmap_one(site) {
    if (site.branch === "redirtied") throw new Error("try_to_unmap_one: not decided yet for a redirtied page");
    ref.try_to_unmap_one(site);
  },
};
