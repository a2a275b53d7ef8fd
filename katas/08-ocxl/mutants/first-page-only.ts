// Wrong: shoots down only the range's first page, as if every notification were for one page (it is for the ptl's flush of a single PTE, not for munmap's batches).
import { container_of, PAGE_SIZE, ULONG, type mmu_notifier_ops, type pe_data } from "tlbkata";
import { pnv_ocxl_tlb_invalidate, ocxl_mmu_notifier_ops as ref } from "../../../solutions/08-ocxl/link";

export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, _end) {
    const link = container_of<pe_data>(mn).link;
    link.atsd_lock.spin_lock();
    pnv_ocxl_tlb_invalidate(link.arva, ULONG(mm.context_id), ULONG(start), ULONG(PAGE_SIZE));
    link.atsd_lock.spin_unlock();
  },
};
