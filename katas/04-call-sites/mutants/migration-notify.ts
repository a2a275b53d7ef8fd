// Wrong: try_to_migrate_one notifies under the ptl, as the course once taught; the kernel leaves it to range_end, which comes before the copy.
import type { CallSites } from "tlbkata";
import { call_sites as ref } from "../../../solutions/04-call-sites/call_sites";

export const call_sites: CallSites = {
  ...ref,
  try_to_migrate_one(site) {
    site.k.mn.mmu_notifier_invalidate_secondary_tlbs(site.mm, site.address, site.address + site.size);
  },
};
