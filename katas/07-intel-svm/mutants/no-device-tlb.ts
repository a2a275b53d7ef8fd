// Wrong: invalidates the unit's IOTLB but never the ATS device's own device-TLB.
import { container_of, rcu_read_lock, rcu_read_unlock, list_for_each_entry_rcu, build_p_iotlb_inv_dsc_all, type mmu_notifier_ops, type intel_svm } from "tlbkata";
import { intel_mmuops as ref } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn) {
    const svm = container_of<intel_svm>(mn);
    rcu_read_lock(svm.sim);
    for (const sdev of list_for_each_entry_rcu(svm.devs)) sdev.iommu.qi_submit_sync(build_p_iotlb_inv_dsc_all(sdev.did, svm.pasid));
    rcu_read_unlock(svm.sim);
  },
};
