// Wrong: clamps end to TASK_SIZE_MAX - PAGE_SIZE, taking it for the end of user space, to keep (0, -1UL) from looping: one page short, so the last page of user space keeps its translation.
import { container_of, PAGE_SIZE, TASK_SIZE_MAX, ULONG, ul_add, type mmu_notifier_ops, type pe_data } from "tlbkata";
import { pnv_ocxl_tlb_invalidate, ocxl_mmu_notifier_ops as ref } from "../../../solutions/08-ocxl/link";

const USER_END = ULONG(TASK_SIZE_MAX - PAGE_SIZE);

export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const link = container_of<pe_data>(mn).link;
    const last = ULONG(end) < USER_END ? ULONG(end) : USER_END;
    link.atsd_lock.spin_lock();
    for (let a = ULONG(start); a < last; a = ul_add(a, ULONG(PAGE_SIZE))) pnv_ocxl_tlb_invalidate(link.arva, ULONG(mm.context_id), a, ULONG(PAGE_SIZE));
    link.atsd_lock.spin_unlock();
  },
};
