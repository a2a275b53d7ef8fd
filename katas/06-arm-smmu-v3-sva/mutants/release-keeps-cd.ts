// Wrong: release flushes but leaves the CD live: DMA still in flight walks the dying mm again and refills the caches.
import { mn_to_smmu, mm_get_pasid, sva_lock, arm_smmu_tlb_inv_asid, arm_smmu_atc_inv_domain, type mmu_notifier_ops } from "tlbkata";
import { arm_smmu_mmu_notifier_ops as ref } from "../../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  release(mn, mm) {
    const smmu_mn = mn_to_smmu(mn);
    sva_lock.mutex_lock();
    if (!smmu_mn.cleared) {
      arm_smmu_tlb_inv_asid(smmu_mn.domain.smmu, smmu_mn.cd.asid);
      arm_smmu_atc_inv_domain(smmu_mn.domain, mm_get_pasid(mm), 0n, 0n);
      smmu_mn.cleared = true;
    }
    sva_lock.mutex_unlock();
  },
};
