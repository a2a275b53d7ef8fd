// Wrong: takes sva_lock (a mutex) only on the rare whole-ASID path, to keep the CD stable: a sleeping lock under the ptl that a one-page test never sees.
import { mn_to_smmu, mm_get_pasid, arm_smmu_tlb_inv_asid, arm_smmu_tlb_inv_range_asid, arm_smmu_atc_inv_domain, ARM_SMMU_FEAT_BTM, ARM_SMMU_FEAT_RANGE_INV, CMDQ_MAX_TLBI_OPS, PAGE_SIZE, ULONG, ULONG_MAX_UL, ul_sub, sva_lock, type mmu_notifier_ops } from "tlbkata";
import { arm_smmu_mmu_notifier_ops as ref } from "../../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const smmu_mn = mn_to_smmu(mn);
    const smmu_domain = smmu_mn.domain;
    const smmu = smmu_domain.smmu;
    const iova = ULONG(start);
    let size = ul_sub(ULONG(end), iova);
    if (!(smmu.features & ARM_SMMU_FEAT_RANGE_INV)) {
      if (size >= ULONG(CMDQ_MAX_TLBI_OPS * PAGE_SIZE)) size = 0n;
    } else if (size === ULONG_MAX_UL) {
      size = 0n;
    }
    if (!(smmu.features & ARM_SMMU_FEAT_BTM)) {
      if (size === 0n) {
        sva_lock.mutex_lock();
        arm_smmu_tlb_inv_asid(smmu, smmu_mn.cd.asid);
        sva_lock.mutex_unlock();
      } else arm_smmu_tlb_inv_range_asid(iova, size, smmu_mn.cd.asid, PAGE_SIZE, false, smmu_domain);
    }
    arm_smmu_atc_inv_domain(smmu_domain, mm_get_pasid(mm), iova, size);
  },
};
