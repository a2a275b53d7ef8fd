// Wrong: sends device-TLB invalidations whatever sdev->dev_iotlb says, also to a device without ATS.
import { container_of, rcu_read_lock, rcu_read_unlock, list_for_each_entry_rcu, build_dev_tlb_pasid_inv_dsc_all, type mmu_notifier_ops, type intel_svm } from "tlbkata";
import { intel_mmuops as ref } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const svm = container_of<intel_svm>(mn);
    ref.invalidate_secondary_tlbs!(mn, mm, start, end);
    rcu_read_lock(svm.sim);
    for (const sdev of list_for_each_entry_rcu(svm.devs)) {
      if (!sdev.dev_iotlb) sdev.iommu.qi_submit_sync(build_dev_tlb_pasid_inv_dsc_all(sdev.sid, svm.pasid, sdev.qdep));
    }
    rcu_read_unlock(svm.sim);
  },
};
