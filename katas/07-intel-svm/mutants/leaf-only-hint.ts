// Wrong: sets the invalidation hint (ih = 1, "only leaf entries changed"), so the unit keeps the paging-structure caches that point at a table munmap frees; the kernel passes 0 because the notifier cannot know whether tables were freed (v6.6:drivers/iommu/intel/svm.c:226-227).
import { container_of, ULONG, ULONG_MAX_UL, type mmu_notifier_ops, type intel_svm } from "tlbkata";
import { intel_mmuops as ref, intel_flush_svm_all, intel_flush_svm_range, intel_svm_pages } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const svm = container_of<intel_svm>(mn);
    if (start === 0 && ULONG(end) === ULONG_MAX_UL) {
      intel_flush_svm_all(svm);
      return;
    }
    intel_flush_svm_range(svm, ULONG(start), intel_svm_pages(start, end), 1);
  },
};
