// Wrong: release installs quiet_cd at the ASID's slot instead of the PASID's: the PASID's CD stays live and the device keeps walking the dying mm.
import { mn_to_smmu, mm_get_pasid, quiet_cd, sva_lock, arm_smmu_tlb_inv_asid, arm_smmu_atc_inv_domain, arm_smmu_write_ctx_desc, type mmu_notifier_ops } from "tlbkata";
import { arm_smmu_mmu_notifier_ops as ref } from "../../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  release(mn, mm) {
    const smmu_mn = mn_to_smmu(mn);
    const smmu_domain = smmu_mn.domain;
    sva_lock.mutex_lock();
    if (!smmu_mn.cleared) {
      arm_smmu_write_ctx_desc(smmu_domain, smmu_mn.cd.asid, quiet_cd);
      arm_smmu_tlb_inv_asid(smmu_domain.smmu, smmu_mn.cd.asid);
      arm_smmu_atc_inv_domain(smmu_domain, mm_get_pasid(mm), 0n, 0n);
      smmu_mn.cleared = true;
    }
    sva_lock.mutex_unlock();
  },
};
