// Wrong: flushes the whole PASID for every range, even one page: coherent, but every other translation of the process is thrown away each time.
import { container_of, type mmu_notifier_ops, type intel_svm } from "tlbkata";
import { intel_flush_svm_all, intel_mmuops as ref } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn) {
    intel_flush_svm_all(container_of<intel_svm>(mn));
  },
};
