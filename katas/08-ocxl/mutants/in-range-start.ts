// Wrong: shoots down in invalidate_range_start instead: too soon, the AFU walks the old PTE again before it is cleared.
import { container_of, PAGE_SIZE, ULONG, ul_add, type mmu_notifier_ops, type pe_data } from "tlbkata";
import { pnv_ocxl_tlb_invalidate, ocxl_mmu_notifier_ops as ref } from "../../../solutions/08-ocxl/link";

export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  name: ref.name,
  invalidate_range_start(mn, range) {
    const link = container_of<pe_data>(mn).link;
    link.atsd_lock.spin_lock();
    for (let a = ULONG(range.start); a < ULONG(range.end); a = ul_add(a, ULONG(PAGE_SIZE))) pnv_ocxl_tlb_invalidate(link.arva, ULONG(range.mm.context_id), a, ULONG(PAGE_SIZE));
    link.atsd_lock.spin_unlock();
    return 0;
  },
};
