// Wrong: release returns early when already cleared without unlocking sva_lock.
import { mn_to_smmu, sva_lock, type mmu_notifier_ops } from "tlbkata";
import { arm_smmu_mmu_notifier_ops as ref, arm_smmu_mm_release } from "../../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  release(mn, mm) {
    arm_smmu_mm_release(mn, mm);
    // The "already cleared" path: the lock is taken and never released.
    sva_lock.mutex_lock();
    if (mn_to_smmu(mn).cleared) return;
    sva_lock.mutex_unlock();
  },
};
