// Wrong: loops over page numbers kept in an unsigned int (`u32 pfn = addr >> PAGE_SHIFT`): above 16 TiB the bounds wrap, and at the top of user space the shootdowns name pages below 16 TiB instead of the range's.
import { container_of, PAGE_SIZE, PAGE_SHIFT, ULONG, ul_shl, ul_shr, type mmu_notifier_ops, type pe_data } from "tlbkata";
import { pnv_ocxl_tlb_invalidate, ocxl_mmu_notifier_ops as ref } from "../../../solutions/08-ocxl/link";

const u32 = (x: bigint): number => Number(BigInt.asUintN(32, x));

export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const link = container_of<pe_data>(mn).link;
    const last = u32(ul_shr(ULONG(end), PAGE_SHIFT));
    link.atsd_lock.spin_lock();
    for (let pfn = u32(ul_shr(ULONG(start), PAGE_SHIFT)); pfn < last; pfn = u32(BigInt(pfn + 1)))
      pnv_ocxl_tlb_invalidate(link.arva, ULONG(mm.context_id), ul_shl(ULONG(pfn), PAGE_SHIFT), ULONG(PAGE_SIZE));
    link.atsd_lock.spin_unlock();
  },
};
