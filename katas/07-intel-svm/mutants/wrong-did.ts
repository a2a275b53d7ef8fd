// Wrong: tags the PASID-based IOTLB invalidation with the source id instead of the domain id, so it misses the IOTLB.
import { container_of, rcu_read_lock, rcu_read_unlock, list_for_each_entry_rcu, build_p_iotlb_inv_dsc_all, build_dev_tlb_pasid_inv_dsc_all, type mmu_notifier_ops, type intel_svm } from "tlbkata";
import { intel_mmuops as ref } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn) {
    const svm = container_of<intel_svm>(mn);
    rcu_read_lock(svm.sim);
    for (const sdev of list_for_each_entry_rcu(svm.devs)) {
      sdev.iommu.qi_submit(build_p_iotlb_inv_dsc_all(sdev.sid, svm.pasid));
      if (sdev.dev_iotlb) sdev.iommu.qi_submit(build_dev_tlb_pasid_inv_dsc_all(sdev.sid, svm.pasid, sdev.qdep));
      sdev.iommu.qi_wait();
    }
    rcu_read_unlock(svm.sim);
  },
};
