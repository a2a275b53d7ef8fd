// Wrong: always one TLBI per page of the range: a large munmap is a soft lockup (CVE-2023-52484, fixed by d5afb4b47e13), and (0, ULONG_MAX) never ends.
import { mn_to_smmu, mm_get_pasid, arm_smmu_tlb_inv_range_asid, arm_smmu_atc_inv_domain, ARM_SMMU_FEAT_BTM, PAGE_SIZE, type mmu_notifier_ops } from "tlbkata";
import { arm_smmu_mmu_notifier_ops as ref } from "../../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const smmu_mn = mn_to_smmu(mn);
    const size = end - start;
    if (!(smmu_mn.domain.smmu.features & ARM_SMMU_FEAT_BTM)) arm_smmu_tlb_inv_range_asid(start, size, smmu_mn.cd.asid, PAGE_SIZE, false, smmu_mn.domain);
    arm_smmu_atc_inv_domain(smmu_mn.domain, mm_get_pasid(mm), start, size);
  },
};
