// Wrong: tests the threshold on the page count (end - start + PAGE_SIZE - 1) >> PAGE_SHIFT, in unsigned long as C computes it: for (0, ULONG_MAX) the sum wraps to 4094 and the count is 0, so the whole address space goes out as one TLBI per page, a soft lockup under the ptl (the wrap of v6.6's Intel driver, e7ad6c2a4b1a, meeting the threshold of d5afb4b47e13).
import { mn_to_smmu, mm_get_pasid, arm_smmu_tlb_inv_asid, arm_smmu_tlb_inv_range_asid, arm_smmu_atc_inv_domain, ARM_SMMU_FEAT_BTM, ARM_SMMU_FEAT_RANGE_INV, CMDQ_MAX_TLBI_OPS, PAGE_SIZE, ULONG, ULONG_MAX_UL, ul_sub, ul_add, ul_shr, PAGE_SHIFT, type mmu_notifier_ops } from "tlbkata";
import { arm_smmu_mmu_notifier_ops as ref } from "../../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const smmu_mn = mn_to_smmu(mn);
    const smmu_domain = smmu_mn.domain;
    const smmu = smmu_domain.smmu;
    const iova = ULONG(start);
    let size = ul_sub(ULONG(end), iova);
    const pages = ul_shr(ul_add(size, ULONG(PAGE_SIZE - 1)), PAGE_SHIFT);
    if (!(smmu.features & ARM_SMMU_FEAT_RANGE_INV)) {
      if (pages >= ULONG(CMDQ_MAX_TLBI_OPS)) size = 0n;
    } else if (size === ULONG_MAX_UL) {
      size = 0n;
    }
    if (!(smmu.features & ARM_SMMU_FEAT_BTM)) {
      if (size === 0n) arm_smmu_tlb_inv_asid(smmu, smmu_mn.cd.asid);
      else arm_smmu_tlb_inv_range_asid(iova, size, smmu_mn.cd.asid, PAGE_SIZE, false, smmu_domain);
    }
    arm_smmu_atc_inv_domain(smmu_domain, mm_get_pasid(mm), iova, size);
  },
};
