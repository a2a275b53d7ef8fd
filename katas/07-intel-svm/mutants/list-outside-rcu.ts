// Wrong: walks svm->devs with list_for_each_entry_rcu() outside rcu_read_lock(): fine under the ptl, unprotected when called from invalidate_range_end.
import { container_of, list_for_each_entry_rcu, VTD_PAGE_SIZE, ULONG_MAX, ULONG, type mmu_notifier_ops, type intel_svm } from "tlbkata";
import { intel_flush_svm_range_dev, intel_mmuops as ref } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const svm = container_of<intel_svm>(mn);
    const pages = start === 0 && end >= ULONG_MAX ? 2 ** 52 : Math.ceil((end - start) / VTD_PAGE_SIZE);
    for (const sdev of list_for_each_entry_rcu(svm.devs)) intel_flush_svm_range_dev(svm, sdev, ULONG(start), ULONG(pages), 0);
  },
};
