// Wrong: tags the device-TLB invalidation with the domain id instead of the requester id (info->pfsid / sid): the descriptor reaches no device, whose ATC keeps the range.
import { container_of, rcu_read_lock, rcu_read_unlock, list_for_each_entry_rcu, ULONG, ULONG_MAX, type mmu_notifier_ops, type intel_svm } from "tlbkata";
import { intel_flush_svm_range_dev, intel_svm_pages, intel_flush_svm_all, intel_mmuops as ref } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const svm = container_of<intel_svm>(mn);
    if (start === 0 && end >= ULONG_MAX) return intel_flush_svm_all(svm);
    rcu_read_lock(svm.sim);
    for (const sdev of list_for_each_entry_rcu(svm.devs)) intel_flush_svm_range_dev(svm, { ...sdev, sid: sdev.did }, ULONG(start), intel_svm_pages(start, end), 0);
    rcu_read_unlock(svm.sim);
  },
};
