// Wrong: passes the page number (addr >> PAGE_SHIFT) where pnv_ocxl_tlb_invalidate takes the address, pages for bytes: every shootdown names a page 4096 times lower, and the range stays cached.
import { container_of, PAGE_SIZE, PAGE_SHIFT, ULONG, ul_add, ul_shr, type mmu_notifier_ops, type pe_data } from "tlbkata";
import { pnv_ocxl_tlb_invalidate, ocxl_mmu_notifier_ops as ref } from "../../../solutions/08-ocxl/link";

export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const link = container_of<pe_data>(mn).link;
    link.atsd_lock.spin_lock();
    for (let a = ULONG(start); a < ULONG(end); a = ul_add(a, ULONG(PAGE_SIZE))) pnv_ocxl_tlb_invalidate(link.arva, ULONG(mm.context_id), ul_shr(a, PAGE_SHIFT), ULONG(PAGE_SIZE));
    link.atsd_lock.spin_unlock();
  },
};
