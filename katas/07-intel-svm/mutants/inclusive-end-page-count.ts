// Wrong: takes end as the last byte of the range (inclusive), so (end - 1 - start) >> VTD_PAGE_SHIFT is one page short: a one-page range asks for 0 pages and the last page of every range stays cached.
import { container_of, ULONG, ULONG_MAX, type mmu_notifier_ops, type intel_svm } from "tlbkata";
import { intel_flush_svm_range, intel_flush_svm_all, intel_mmuops as ref } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const svm = container_of<intel_svm>(mn);
    if (start === 0 && end >= ULONG_MAX) return intel_flush_svm_all(svm);
    intel_flush_svm_range(svm, ULONG(start), ULONG(Math.floor((end - 1 - start) / 4096)), 0);
  },
};
