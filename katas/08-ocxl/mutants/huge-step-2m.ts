// Wrong: shoots a 2 MiB-aligned range down 2 MiB at a time with the 2M page size code, as if every such range were mapped by a PMD: link.c names every base page, since the range may be mapped by 4 KiB PTEs.
import { container_of, PAGE_SIZE, ULONG, ul_add, PMD_SIZE, type mmu_notifier_ops, type pe_data } from "tlbkata";
import { pnv_ocxl_tlb_invalidate, ocxl_mmu_notifier_ops as ref } from "../../../solutions/08-ocxl/link";

export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const link = container_of<pe_data>(mn).link;
    const page_size = ULONG(start % PMD_SIZE === 0 && end - start >= PMD_SIZE ? PMD_SIZE : PAGE_SIZE);
    link.atsd_lock.spin_lock();
    for (let a = ULONG(start); a < ULONG(end); a = ul_add(a, page_size)) pnv_ocxl_tlb_invalidate(link.arva, ULONG(mm.context_id), a, page_size);
    link.atsd_lock.spin_unlock();
  },
};
