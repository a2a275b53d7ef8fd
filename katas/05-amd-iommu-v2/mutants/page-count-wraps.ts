// Wrong: decides "one page" from the page count (end - start + PAGE_SIZE - 1) >> PAGE_SHIFT, in unsigned long as C computes it: for (0, ULONG_MAX) the sum wraps to 4094 and the count is 0, so the whole address space is flushed as the one page at address 0 (the wrap of v6.6's Intel driver, fixed by e7ad6c2a4b1a).
import { container_of, PAGE_SIZE, PAGE_SHIFT, ULONG, ul_add, ul_sub, ul_shr, type mmu_notifier_ops, type pasid_state } from "tlbkata";
import { amd_iommu_flush_page, amd_iommu_flush_tlb, iommu_mn as ref } from "../../../solutions/05-amd-iommu-v2/amd_iommu_v2";

export const iommu_mn: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const ps = container_of<pasid_state>(mn);
    const pages = ul_shr(ul_add(ul_sub(ULONG(end), ULONG(start)), ULONG(PAGE_SIZE - 1)), PAGE_SHIFT);
    if (pages <= 1n) amd_iommu_flush_page(ps.device_state, ps.pasid, ULONG(start));
    else amd_iommu_flush_tlb(ps.device_state, ps.pasid);
  },
};
