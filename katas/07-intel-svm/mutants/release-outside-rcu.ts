// Wrong: release walks svm->devs outside rcu_read_lock(); release runs without a spinlock, so nothing protects the walk.
import { container_of, list_for_each_entry_rcu, intel_pasid_tear_down_entry, type mmu_notifier_ops, type intel_svm } from "tlbkata";
import { intel_mmuops as ref } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  ...ref,
  release(mn) {
    const svm = container_of<intel_svm>(mn);
    for (const sdev of list_for_each_entry_rcu(svm.devs)) intel_pasid_tear_down_entry(sdev.iommu, sdev.dev, svm.pasid, true);
  },
};
