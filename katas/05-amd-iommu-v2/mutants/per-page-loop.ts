// Wrong: one flush per page of the range: (0, ULONG_MAX) becomes a soft lockup.
import { container_of, PAGE_SIZE, ULONG, ul_add, type mmu_notifier_ops, type pasid_state } from "tlbkata";
import { amd_iommu_flush_page, iommu_mn as ref } from "../../../solutions/05-amd-iommu-v2/amd_iommu_v2";

export const iommu_mn: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const ps = container_of<pasid_state>(mn);
    for (let a = ULONG(start); a < ULONG(end); a = ul_add(a, ULONG(PAGE_SIZE))) amd_iommu_flush_page(ps.device_state, ps.pasid, a);
  },
};
