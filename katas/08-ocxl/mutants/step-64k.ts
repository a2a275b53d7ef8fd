// Wrong: takes ppc64's 64 KiB PAGE_SIZE for the step and the AP code, where the AFU's translations here are 4 KiB pages: every ATSD names the wrong page size (the page_size argument the "ocxl: Add mmu notifier" series, 5f686eea4b3c, added in v3, a page-size typo fixed in v4).
import { container_of, PAGE_SIZE, ULONG, ul_add, type mmu_notifier_ops, type pe_data } from "tlbkata";
import { pnv_ocxl_tlb_invalidate, ocxl_mmu_notifier_ops as ref } from "../../../solutions/08-ocxl/link";

export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const link = container_of<pe_data>(mn).link;
    link.atsd_lock.spin_lock();
    for (let a = ULONG(start); a < ULONG(end); a = ul_add(a, ULONG(16 * PAGE_SIZE))) pnv_ocxl_tlb_invalidate(link.arva, ULONG(mm.context_id), a, ULONG(16 * PAGE_SIZE));
    link.atsd_lock.spin_unlock();
  },
};
