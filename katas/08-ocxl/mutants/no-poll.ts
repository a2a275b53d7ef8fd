// Wrong: launches each shootdown but never polls XTS_ATSD_STAT: the next launch replaces it, and the last is still in flight on return.
import {
  container_of, out_be64, PAGE_SIZE, XTS_ATSD_AVA, XTS_ATSD_LAUNCH, XTS_ATSD_LAUNCH_PID_SHIFT, XTS_ATSD_LAUNCH_AP_SHIFT, XTS_ATSD_AP_4K,
  type mmu_notifier_ops, type pe_data,
} from "tlbkata";
import { ocxl_mmu_notifier_ops as ref } from "../../../solutions/08-ocxl/link";

export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const link = container_of<pe_data>(mn).link;
    link.atsd_lock.spin_lock();
    for (let a = start; a < end; a += PAGE_SIZE) {
      out_be64(link.arva!, XTS_ATSD_AVA, a);
      out_be64(link.arva!, XTS_ATSD_LAUNCH, (mm.context_id << XTS_ATSD_LAUNCH_PID_SHIFT) | (XTS_ATSD_AP_4K << XTS_ATSD_LAUNCH_AP_SHIFT));
    }
    link.atsd_lock.spin_unlock();
  },
};
