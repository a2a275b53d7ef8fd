// Wrong: release never sets smmu_mn->cleared, so unbind flushes everything a second time.
import { mn_to_smmu, mm_get_pasid, quiet_cd, sva_lock, arm_smmu_write_ctx_desc, arm_smmu_tlb_inv_asid, arm_smmu_atc_inv_domain, type mmu_notifier_ops } from "tlbkata";
import { arm_smmu_mmu_notifier_ops as ref } from "../../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  release(mn, mm) {
    const smmu_mn = mn_to_smmu(mn);
    sva_lock.mutex_lock();
    arm_smmu_write_ctx_desc(smmu_mn.domain, mm_get_pasid(mm), quiet_cd);
    arm_smmu_tlb_inv_asid(smmu_mn.domain.smmu, smmu_mn.cd.asid);
    arm_smmu_atc_inv_domain(smmu_mn.domain, mm_get_pasid(mm), 0n, 0n);
    sva_lock.mutex_unlock();
  },
};
