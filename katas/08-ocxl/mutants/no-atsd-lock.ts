// Wrong: writes the ATSD registers without taking atsd_lock: another process's shootdown can mix with this one.
import { container_of, PAGE_SIZE, ULONG, ul_add, type mmu_notifier_ops, type pe_data } from "tlbkata";
import { pnv_ocxl_tlb_invalidate, ocxl_mmu_notifier_ops as ref } from "../../../solutions/08-ocxl/link";

export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const link = container_of<pe_data>(mn).link;
    for (let a = ULONG(start); a < ULONG(end); a = ul_add(a, ULONG(PAGE_SIZE))) pnv_ocxl_tlb_invalidate(link.arva, ULONG(mm.context_id), a, ULONG(PAGE_SIZE));
  },
};
