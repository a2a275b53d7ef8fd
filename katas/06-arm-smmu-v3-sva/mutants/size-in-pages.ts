// Wrong: passes the range's size in pages ((end - start) / PAGE_SIZE) where the helpers take bytes: the TLBIs and the ATC invalidation cover a sliver of the first page.
import { mn_to_smmu, mm_get_pasid, arm_smmu_tlb_inv_asid, arm_smmu_tlb_inv_range_asid, arm_smmu_atc_inv_domain, ARM_SMMU_FEAT_BTM, ARM_SMMU_FEAT_RANGE_INV, CMDQ_MAX_TLBI_OPS, PAGE_SIZE, ULONG, ULONG_MAX_UL, ul_sub, ul_shr, PAGE_SHIFT, type mmu_notifier_ops } from "tlbkata";
import { arm_smmu_mmu_notifier_ops as ref } from "../../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const smmu_mn = mn_to_smmu(mn);
    const smmu_domain = smmu_mn.domain;
    const smmu = smmu_domain.smmu;
    const iova = ULONG(start);
    let size = ul_shr(ul_sub(ULONG(end), iova), PAGE_SHIFT);
    if (!(smmu.features & ARM_SMMU_FEAT_RANGE_INV)) {
      if (size >= ULONG(CMDQ_MAX_TLBI_OPS)) size = 0n;
    } else if (ul_sub(ULONG(end), iova) === ULONG_MAX_UL) {
      size = 0n;
    }
    if (!(smmu.features & ARM_SMMU_FEAT_BTM)) {
      if (size === 0n) arm_smmu_tlb_inv_asid(smmu, smmu_mn.cd.asid);
      else arm_smmu_tlb_inv_range_asid(iova, size, smmu_mn.cd.asid, PAGE_SIZE, false, smmu_domain);
    }
    arm_smmu_atc_inv_domain(smmu_domain, mm_get_pasid(mm), iova, size);
  },
};
