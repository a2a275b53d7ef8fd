// Wrong: release installs the quiet CD and sets cleared, but leaves the SMMU TLB and the ATCs full of the dying mm's translations.
import { mn_to_smmu, mm_get_pasid, quiet_cd, sva_lock, arm_smmu_write_ctx_desc, type mmu_notifier_ops } from "tlbkata";
import { arm_smmu_mmu_notifier_ops as ref } from "../../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  release(mn, mm) {
    const smmu_mn = mn_to_smmu(mn);
    sva_lock.mutex_lock();
    if (!smmu_mn.cleared) arm_smmu_write_ctx_desc(smmu_mn.domain, mm_get_pasid(mm), quiet_cd);
    smmu_mn.cleared = true;
    sva_lock.mutex_unlock();
  },
};
