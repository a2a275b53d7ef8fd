// Wrong: with BTM it returns at once, skipping the ATC invalidation (BTM does not reach the devices' ATCs).
import { mn_to_smmu, ARM_SMMU_FEAT_BTM, type mmu_notifier_ops } from "tlbkata";
import { arm_smmu_mmu_notifier_ops as ref, arm_smmu_mm_invalidate_range } from "../../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    if (mn_to_smmu(mn).domain.smmu.features & ARM_SMMU_FEAT_BTM) return;
    arm_smmu_mm_invalidate_range(mn, mm, start, end);
  },
};
