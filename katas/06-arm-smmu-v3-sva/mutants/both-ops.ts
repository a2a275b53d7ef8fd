// Wrong: implements invalidate_secondary_tlbs and invalidate_range_start: registration fails with -EINVAL.
import { type mmu_notifier_ops } from "tlbkata";
import { arm_smmu_mmu_notifier_ops as ref } from "../../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_range_start: () => 0,
};
