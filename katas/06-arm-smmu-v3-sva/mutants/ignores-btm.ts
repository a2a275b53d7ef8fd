// Wrong: sends TLBIs even with BTM, where the SMMU already followed the CPU's own broadcast TLBIs.
import { mn_to_smmu, mm_get_pasid, arm_smmu_tlb_inv_asid, arm_smmu_tlb_inv_range_asid, arm_smmu_atc_inv_domain, CMDQ_MAX_TLBI_OPS, PAGE_SIZE, type mmu_notifier_ops } from "tlbkata";
import { arm_smmu_mmu_notifier_ops as ref } from "../../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const smmu_mn = mn_to_smmu(mn);
    const size = end - start >= CMDQ_MAX_TLBI_OPS * PAGE_SIZE ? 0 : end - start;
    if (!size) arm_smmu_tlb_inv_asid(smmu_mn.domain.smmu, smmu_mn.cd.asid);
    else arm_smmu_tlb_inv_range_asid(start, size, smmu_mn.cd.asid, PAGE_SIZE, false, smmu_mn.domain);
    arm_smmu_atc_inv_domain(smmu_mn.domain, mm_get_pasid(mm), start, size);
  },
};
