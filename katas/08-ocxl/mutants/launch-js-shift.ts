// Wrong: builds the launch value with JavaScript's << and | on numbers, then ULONG(): those compute in 32 bits, so `pid << 25` overflows, `ap << 46` is `ap << 14` and `is << 51` is `is << 19`: the fields land in the wrong bits and no shootdown names the page of the process.
import {
  container_of, out_be64, in_be64, PAGE_SIZE, ULONG, ul_add, XTS_ATSD_AVA, XTS_ATSD_LAUNCH, XTS_ATSD_STAT, XTS_ATSD_STAT_PENDING, XTS_ATSD_LAUNCH_PID_SHIFT,
  XTS_ATSD_LAUNCH_AP_SHIFT, XTS_ATSD_LAUNCH_IS_SHIFT, XTS_ATSD_IS_VA, XTS_ATSD_AP_4K, type mmu_notifier_ops, type pe_data,
} from "tlbkata";
import { ocxl_mmu_notifier_ops as ref } from "../../../solutions/08-ocxl/link";

export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const link = container_of<pe_data>(mn).link;
    const arva = link.arva!;
    const launch = (XTS_ATSD_IS_VA << XTS_ATSD_LAUNCH_IS_SHIFT) | (XTS_ATSD_AP_4K << XTS_ATSD_LAUNCH_AP_SHIFT) | (mm.context_id << XTS_ATSD_LAUNCH_PID_SHIFT);
    link.atsd_lock.spin_lock();
    for (let a = ULONG(start); a < ULONG(end); a = ul_add(a, ULONG(PAGE_SIZE))) {
      out_be64(arva, XTS_ATSD_AVA, a);
      out_be64(arva, XTS_ATSD_LAUNCH, ULONG(launch));
      while (in_be64(arva, XTS_ATSD_STAT) & XTS_ATSD_STAT_PENDING) {
        /* cpu_relax() */
      }
    }
    link.atsd_lock.spin_unlock();
  },
};
