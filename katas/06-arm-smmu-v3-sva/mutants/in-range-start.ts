// Wrong: invalidates in invalidate_range_start instead: too soon, the SMMU walks the old PTE again before it is cleared.
import { type mmu_notifier_ops } from "tlbkata";
import { arm_smmu_mmu_notifier_ops as ref, arm_smmu_mm_invalidate_range } from "../../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  name: ref.name,
  release: ref.release,
  free_notifier: ref.free_notifier,
  invalidate_range_start(mn, range) {
    arm_smmu_mm_invalidate_range(mn, range.mm, range.start, range.end);
    return 0;
  },
};
