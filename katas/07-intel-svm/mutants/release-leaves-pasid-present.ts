// Wrong: release flushes the caches but leaves the PASID entry present: the unit walks the dying mm's page table and caches it again.
import { container_of, type mmu_notifier_ops, type intel_svm } from "tlbkata";
import { intel_flush_svm_all, intel_mmuops as ref } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  ...ref,
  release(mn) {
    intel_flush_svm_all(container_of<intel_svm>(mn));
  },
};
