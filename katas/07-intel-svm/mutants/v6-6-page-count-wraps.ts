// Wrong: v6.6's intel_arch_invalidate_secondary_tlbs: no case for (0, -1UL); its page count (end - start + PAGE_SIZE - 1) >> VTD_PAGE_SHIFT wraps to 0 in 64 bits, so x86's whole-mm flushes (above 33 pages, fork's flush_tlb_mm, batched reclaim) invalidate nothing.
import { container_of, ULONG, type mmu_notifier_ops, type intel_svm } from "tlbkata";
import { intel_flush_svm_range, intel_svm_pages, intel_mmuops as ref } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    intel_flush_svm_range(container_of<intel_svm>(mn), ULONG(start), intel_svm_pages(start, end), 0);
  },
};
