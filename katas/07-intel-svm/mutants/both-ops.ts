// Wrong: implements invalidate_secondary_tlbs and invalidate_range_start: registration fails with -EINVAL.
import { type mmu_notifier_ops } from "tlbkata";
import { intel_mmuops as ref } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  ...ref,
  invalidate_range_start: () => 0,
};
