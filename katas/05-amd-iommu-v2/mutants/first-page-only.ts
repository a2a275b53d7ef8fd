// Wrong: flushes only the first page of a multi-page range.
import { container_of, ULONG, type mmu_notifier_ops, type pasid_state } from "tlbkata";
import { amd_iommu_flush_page, iommu_mn as ref } from "../../../solutions/05-amd-iommu-v2/amd_iommu_v2";

export const iommu_mn: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start) {
    const ps = container_of<pasid_state>(mn);
    amd_iommu_flush_page(ps.device_state, ps.pasid, ULONG(start));
  },
};
