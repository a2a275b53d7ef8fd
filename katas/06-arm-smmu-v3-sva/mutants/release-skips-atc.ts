// Wrong: release invalidates the SMMU TLB but not the ATCs: the device keeps translations of the dying mm and can use them after its pages are freed.
import { mn_to_smmu, mm_get_pasid, quiet_cd, sva_lock, arm_smmu_tlb_inv_asid, arm_smmu_atc_inv_domain, arm_smmu_write_ctx_desc, type mmu_notifier_ops } from "tlbkata";
import { arm_smmu_mmu_notifier_ops as ref } from "../../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  release(mn, mm) {
    const smmu_mn = mn_to_smmu(mn);
    const smmu_domain = smmu_mn.domain;
    sva_lock.mutex_lock();
    if (!smmu_mn.cleared) {
      arm_smmu_write_ctx_desc(smmu_domain, mm_get_pasid(mm), quiet_cd);
      arm_smmu_tlb_inv_asid(smmu_domain.smmu, smmu_mn.cd.asid);
      smmu_mn.cleared = true;
    }
    sva_lock.mutex_unlock();
  },
};
