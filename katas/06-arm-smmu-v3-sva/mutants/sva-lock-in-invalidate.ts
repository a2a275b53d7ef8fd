// Wrong: takes sva_lock (a mutex) in invalidate_secondary_tlbs, which runs under the ptl: sleeping in atomic context.
import { sva_lock, type mmu_notifier_ops } from "tlbkata";
import { arm_smmu_mmu_notifier_ops as ref, arm_smmu_mm_invalidate_range } from "../../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    sva_lock.mutex_lock();
    arm_smmu_mm_invalidate_range(mn, mm, start, end);
    sva_lock.mutex_unlock();
  },
};
