// Wrong: passes end - 1 (the last byte, as the IOMMU API counts) as the end: with RANGE_INV the last page is not invalidated.
import { type mmu_notifier_ops } from "tlbkata";
import { arm_smmu_mmu_notifier_ops as ref, arm_smmu_mm_invalidate_range } from "../../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs: (mn, mm, start, end) => arm_smmu_mm_invalidate_range(mn, mm, start, end - 1),
};
