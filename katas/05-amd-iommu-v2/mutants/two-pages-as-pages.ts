// Wrong: treats a range of up to two pages as "small" and flushes only its first page (a size test end - start <= 2 * PAGE_SIZE instead of the same-page test).
import { container_of, PAGE_SIZE, ULONG, ul_sub, type mmu_notifier_ops, type pasid_state } from "tlbkata";
import { amd_iommu_flush_page, amd_iommu_flush_tlb, iommu_mn as ref } from "../../../solutions/05-amd-iommu-v2/amd_iommu_v2";

export const iommu_mn: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const ps = container_of<pasid_state>(mn);
    if (ul_sub(ULONG(end), ULONG(start)) <= ULONG(2 * PAGE_SIZE)) amd_iommu_flush_page(ps.device_state, ps.pasid, ULONG(start));
    else amd_iommu_flush_tlb(ps.device_state, ps.pasid);
  },
};
