// Wrong: launches each shootdown but never polls XTS_ATSD_STAT: the next launch replaces it, and the last is still in flight on return.
import { container_of, out_be64, PAGE_SIZE, ULONG, ul_add, XTS_ATSD_AVA, XTS_ATSD_LAUNCH, type mmu_notifier_ops, type pe_data } from "tlbkata";
import { atsd_launch_val, ocxl_mmu_notifier_ops as ref } from "../../../solutions/08-ocxl/link";

const PG = ULONG(PAGE_SIZE);

export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const link = container_of<pe_data>(mn).link;
    const arva = link.arva!;
    const pid = ULONG(mm.context_id);
    link.atsd_lock.spin_lock();
    for (let a = ULONG(start); a < ULONG(end); a = ul_add(a, PG)) {
      out_be64(arva, XTS_ATSD_AVA, a);
      out_be64(arva, XTS_ATSD_LAUNCH, atsd_launch_val(pid, a, PG));
    }
    link.atsd_lock.spin_unlock();
  },
};
