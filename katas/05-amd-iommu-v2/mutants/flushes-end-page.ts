// Wrong: flushes the page at end (the first byte after the range) instead of start for a one-page range.
import { container_of, PAGE_SIZE, ULONG, ul_sub, type mmu_notifier_ops, type pasid_state } from "tlbkata";
import { amd_iommu_flush_page, amd_iommu_flush_tlb, iommu_mn as ref } from "../../../solutions/05-amd-iommu-v2/amd_iommu_v2";

export const iommu_mn: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const ps = container_of<pasid_state>(mn);
    if ((ULONG(start) ^ ul_sub(ULONG(end), 1n)) < ULONG(PAGE_SIZE)) amd_iommu_flush_page(ps.device_state, ps.pasid, ULONG(end));
    else amd_iommu_flush_tlb(ps.device_state, ps.pasid);
  },
};
