// Wrong: leaves the PID field of XTS_ATSD_LAUNCH at 0 instead of mm->context.id: every shootdown names PID 0 and misses.
import { container_of, PAGE_SIZE, ULONG, ul_add, type mmu_notifier_ops, type pe_data } from "tlbkata";
import { pnv_ocxl_tlb_invalidate, ocxl_mmu_notifier_ops as ref } from "../../../solutions/08-ocxl/link";

export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const link = container_of<pe_data>(mn).link;
    link.atsd_lock.spin_lock();
    for (let a = ULONG(start); a < ULONG(end); a = ul_add(a, ULONG(PAGE_SIZE))) pnv_ocxl_tlb_invalidate(link.arva, 0n, a, ULONG(PAGE_SIZE));
    link.atsd_lock.spin_unlock();
  },
};
