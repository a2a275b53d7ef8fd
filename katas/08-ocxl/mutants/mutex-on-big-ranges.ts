// Wrong: takes the SPA's spa_lock mutex instead of the atsd_lock spinlock for ranges of 512 pages or more, so as not to spin that long: a sleeping lock taken only on a rare path, still under the ptl.
import { container_of, PAGE_SIZE, ULONG, ul_add, type mmu_notifier_ops, type pe_data } from "tlbkata";
import { pnv_ocxl_tlb_invalidate, ocxl_mmu_notifier_ops as ref } from "../../../solutions/08-ocxl/link";

export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const link = container_of<pe_data>(mn).link;
    const big = end - start >= 512 * PAGE_SIZE;
    if (big) link.spa.spa_lock.mutex_lock();
    else link.atsd_lock.spin_lock();
    for (let a = ULONG(start); a < ULONG(end); a = ul_add(a, ULONG(PAGE_SIZE))) pnv_ocxl_tlb_invalidate(link.arva, ULONG(mm.context_id), a, ULONG(PAGE_SIZE));
    if (big) link.spa.spa_lock.mutex_unlock();
    else link.atsd_lock.spin_unlock();
  },
};
