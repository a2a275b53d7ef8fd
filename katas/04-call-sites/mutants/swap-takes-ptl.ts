// Wrong: try_to_unmap_one takes the page-table lock to notify "under the ptl", but reclaim already holds it there: the CPU spins on its own lock.
import { entry_lock, type CallSites } from "tlbkata";
import { call_sites as ref } from "../../../solutions/04-call-sites/call_sites";

export const call_sites: CallSites = {
  ...ref,
  try_to_unmap_one(site) {
    if (site.branch === "redirtied") return;
    const ptl = entry_lock(site.mm, site.address, "pte");
    ptl.spin_lock();
    site.k.mn.mmu_notifier_invalidate_secondary_tlbs(site.mm, site.address, site.address + site.size);
    ptl.spin_unlock();
  },
};
