// Wrong: tests the threshold with (size >> PAGE_SHIFT) >= CMDQ_MAX_TLBI_OPS on JS numbers, converting to unsigned long only for the helpers: JavaScript's >> works on 32 bits, so (0, ULONG_MAX) and 4 GiB ranges count 0 pages and a 2 GiB range a negative count, and all become per-page TLBI floods (the soft lockup of CVE-2023-52484 again).
import { mn_to_smmu, mm_get_pasid, arm_smmu_tlb_inv_asid, arm_smmu_tlb_inv_range_asid, arm_smmu_atc_inv_domain, ARM_SMMU_FEAT_BTM, ARM_SMMU_FEAT_RANGE_INV, CMDQ_MAX_TLBI_OPS, PAGE_SIZE, ULONG, PAGE_SHIFT, ULONG_MAX, type mmu_notifier_ops } from "tlbkata";
import { arm_smmu_mmu_notifier_ops as ref } from "../../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const smmu_mn = mn_to_smmu(mn);
    const smmu_domain = smmu_mn.domain;
    const smmu = smmu_domain.smmu;
    let size = end - start;
    if (!(smmu.features & ARM_SMMU_FEAT_RANGE_INV)) {
      if (size >> PAGE_SHIFT >= CMDQ_MAX_TLBI_OPS) size = 0;
    } else if (size === ULONG_MAX) {
      size = 0;
    }
    if (!(smmu.features & ARM_SMMU_FEAT_BTM)) {
      if (size === 0) arm_smmu_tlb_inv_asid(smmu, smmu_mn.cd.asid);
      else arm_smmu_tlb_inv_range_asid(ULONG(start), ULONG(size), smmu_mn.cd.asid, PAGE_SIZE, false, smmu_domain);
    }
    arm_smmu_atc_inv_domain(smmu_domain, mm_get_pasid(mm), ULONG(start), ULONG(size));
  },
};
