// Wrong: keeps the start address in 32 bits (an unsigned int, or JavaScript's `>>> 0`): above 4 GiB the descriptors name a low address and the range itself stays cached.
import { container_of, ULONG, ULONG_MAX, type mmu_notifier_ops, type intel_svm } from "tlbkata";
import { intel_flush_svm_range, intel_flush_svm_all, intel_svm_pages, intel_mmuops as ref } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const svm = container_of<intel_svm>(mn);
    if (start === 0 && end >= ULONG_MAX) return intel_flush_svm_all(svm);
    intel_flush_svm_range(svm, ULONG(start >>> 0), intel_svm_pages(start, end), 0);
  },
};
