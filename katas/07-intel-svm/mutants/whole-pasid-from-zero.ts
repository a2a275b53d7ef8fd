// Wrong: takes any range that starts at address 0 for the whole address space (start == 0, end unchecked), so one page at address 0 throws away every translation of the PASID.
import { container_of, type mmu_notifier_ops, type intel_svm } from "tlbkata";
import { intel_flush_svm_all, intel_mmuops as ref } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    if (start === 0) return intel_flush_svm_all(container_of<intel_svm>(mn));
    ref.invalidate_secondary_tlbs!(mn, mm, start, end);
  },
};
