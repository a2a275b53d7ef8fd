// Wrong: keeps the PID in a static filled in on the first call, as if the link served one process: the second process's shootdowns name the first process's PID.
import { container_of, PAGE_SIZE, ULONG, ul_add, type mmu_notifier_ops, type pe_data } from "tlbkata";
import { pnv_ocxl_tlb_invalidate, ocxl_mmu_notifier_ops as ref } from "../../../solutions/08-ocxl/link";

let pid: bigint | undefined;

export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const link = container_of<pe_data>(mn).link;
    pid ??= ULONG(mm.context_id);
    link.atsd_lock.spin_lock();
    for (let a = ULONG(start); a < ULONG(end); a = ul_add(a, ULONG(PAGE_SIZE))) pnv_ocxl_tlb_invalidate(link.arva, pid, a, ULONG(PAGE_SIZE));
    link.atsd_lock.spin_unlock();
  },
};
