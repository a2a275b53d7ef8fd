// Wrong: implements invalidate_secondary_tlbs and invalidate_range_start: registration fails.
import { type mmu_notifier_ops } from "tlbkata";
import { iommu_mn as ref } from "../../../solutions/05-amd-iommu-v2/amd_iommu_v2";

export const iommu_mn: mmu_notifier_ops = {
  ...ref,
  invalidate_range_start: () => 0,
};
