// Wrong: release tears the PASID entry down without fault_ignore, so the device's late DMA floods the log with DMAR faults.
import { container_of, rcu_read_lock, rcu_read_unlock, list_for_each_entry_rcu, intel_pasid_tear_down_entry, type mmu_notifier_ops, type intel_svm } from "tlbkata";
import { intel_mmuops as ref } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  ...ref,
  release(mn) {
    const svm = container_of<intel_svm>(mn);
    rcu_read_lock(svm.sim);
    for (const sdev of list_for_each_entry_rcu(svm.devs)) intel_pasid_tear_down_entry(sdev.iommu, sdev.dev, svm.pasid, false);
    rcu_read_unlock(svm.sim);
  },
};
