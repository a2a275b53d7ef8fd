// Wrong: invalidates the whole ASID and the whole ATC for every range, even a single page.
import { mn_to_smmu, mm_get_pasid, arm_smmu_tlb_inv_asid, arm_smmu_atc_inv_domain, ARM_SMMU_FEAT_BTM, type mmu_notifier_ops } from "tlbkata";
import { arm_smmu_mmu_notifier_ops as ref } from "../../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const smmu_mn = mn_to_smmu(mn);
    if (!(smmu_mn.domain.smmu.features & ARM_SMMU_FEAT_BTM)) arm_smmu_tlb_inv_asid(smmu_mn.domain.smmu, smmu_mn.cd.asid);
    arm_smmu_atc_inv_domain(smmu_mn.domain, mm_get_pasid(mm), 0n, 0n);
  },
};
