// Wrong: invalidates in invalidate_range_end instead: too late, pages are freed or remapped before it runs.
import { type mmu_notifier_ops } from "tlbkata";
import { arm_smmu_mmu_notifier_ops as ref, arm_smmu_mm_invalidate_range } from "../../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  name: ref.name,
  release: ref.release,
  free_notifier: ref.free_notifier,
  invalidate_range_end: (mn, range) => arm_smmu_mm_invalidate_range(mn, range.mm, range.start, range.end),
};
