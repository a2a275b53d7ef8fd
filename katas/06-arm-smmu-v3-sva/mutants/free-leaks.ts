// Wrong: free_notifier does nothing: every unbind leaks an arm_smmu_mmu_notifier.
import { type mmu_notifier_ops } from "tlbkata";
import { arm_smmu_mmu_notifier_ops as ref } from "../../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  free_notifier: () => {},
};
