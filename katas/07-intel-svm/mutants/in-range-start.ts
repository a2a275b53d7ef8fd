// Wrong: flushes in invalidate_range_start instead: too soon, the device walks the old PTE again before it is cleared.
import { container_of, VTD_PAGE_SIZE, ULONG, type mmu_notifier_ops, type intel_svm } from "tlbkata";
import { intel_flush_svm_range, intel_mmuops as ref } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  name: ref.name,
  release: ref.release,
  invalidate_range_start(mn, range) {
    intel_flush_svm_range(container_of<intel_svm>(mn), ULONG(range.start), ULONG(Math.ceil((range.end - range.start) / VTD_PAGE_SIZE)), 0);
    return 0;
  },
};
