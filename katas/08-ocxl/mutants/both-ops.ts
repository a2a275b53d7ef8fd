// Wrong: implements invalidate_secondary_tlbs and invalidate_range_start: registration fails.
import { type mmu_notifier_ops } from "tlbkata";
import { ocxl_mmu_notifier_ops as ref } from "../../../solutions/08-ocxl/link";

export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_range_start: () => 0,
};
