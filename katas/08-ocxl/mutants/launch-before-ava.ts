// Wrong: writes XTS_ATSD_LAUNCH before XTS_ATSD_AVA: the launch starts the shootdown with the address register still holding the previous page, and the new address comes too late.
import {
  container_of, out_be64, in_be64, PAGE_SIZE, XTS_ATSD_AVA, XTS_ATSD_LAUNCH, XTS_ATSD_STAT, XTS_ATSD_STAT_PENDING, XTS_ATSD_LAUNCH_PID_SHIFT,
  XTS_ATSD_LAUNCH_AP_SHIFT, XTS_ATSD_LAUNCH_IS_SHIFT, XTS_ATSD_IS_VA, XTS_ATSD_AP_4K, type mmu_notifier_ops, type pe_data,
} from "tlbkata";
import { ocxl_mmu_notifier_ops as ref } from "../../../solutions/08-ocxl/link";

export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const link = container_of<pe_data>(mn).link;
    const arva = link.arva!;
    link.atsd_lock.spin_lock();
    for (let a = start; a < end; a += PAGE_SIZE) {
      out_be64(arva, XTS_ATSD_LAUNCH, (mm.context_id << XTS_ATSD_LAUNCH_PID_SHIFT) | (XTS_ATSD_AP_4K << XTS_ATSD_LAUNCH_AP_SHIFT) | (XTS_ATSD_IS_VA << XTS_ATSD_LAUNCH_IS_SHIFT));
      while (in_be64(arva, XTS_ATSD_STAT) & XTS_ATSD_STAT_PENDING) {
        /* cpu_relax() */
      }
      out_be64(arva, XTS_ATSD_AVA, a);
    }
    link.atsd_lock.spin_unlock();
  },
};
