// Wrong: free_notifier frees the CD as well, which unbind frees afterwards (arm_smmu_free_shared_cd): a double free.
import { mn_to_smmu, kfree, type mmu_notifier_ops } from "tlbkata";
import { arm_smmu_mmu_notifier_ops as ref } from "../../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  free_notifier(mn) {
    const smmu_mn = mn_to_smmu(mn);
    kfree(smmu_mn.cd);
    kfree(smmu_mn);
  },
};
