// Wrong: keeps the PID in a static filled in on the first call, as if the link served one process: the second process's shootdowns name the first process's PID.
import { container_of, PAGE_SIZE, type mmu_notifier_ops, type pe_data } from "tlbkata";
import { pnv_ocxl_tlb_invalidate, ocxl_mmu_notifier_ops as ref } from "../../../solutions/08-ocxl/link";

let pid: number | undefined;

export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const link = container_of<pe_data>(mn).link;
    pid ??= mm.context_id;
    link.atsd_lock.spin_lock();
    for (let a = start; a < end; a += PAGE_SIZE) pnv_ocxl_tlb_invalidate(link.arva!, pid, a, PAGE_SIZE);
    link.atsd_lock.spin_unlock();
  },
};
