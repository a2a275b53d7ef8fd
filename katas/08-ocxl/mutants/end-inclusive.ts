// Wrong: loops while addr <= end, as if end were the last byte: every notification also shoots down the page after the range.
import { container_of, PAGE_SIZE, type mmu_notifier_ops, type pe_data } from "tlbkata";
import { pnv_ocxl_tlb_invalidate, ocxl_mmu_notifier_ops as ref } from "../../../solutions/08-ocxl/link";

export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const link = container_of<pe_data>(mn).link;
    link.atsd_lock.spin_lock();
    for (let a = start; a <= end; a += PAGE_SIZE) pnv_ocxl_tlb_invalidate(link.arva!, mm.context_id, a, PAGE_SIZE);
    link.atsd_lock.spin_unlock();
  },
};
