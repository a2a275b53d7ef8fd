// Wrong: e7ad6c2a4b1a's whole-PASID path for (0, -1UL) queues its two descriptors but forgets the wait the range path has: a sync missing on one path only.
import { container_of, rcu_read_lock, rcu_read_unlock, list_for_each_entry_rcu, build_p_iotlb_inv_dsc_all, build_dev_tlb_pasid_inv_dsc_all, ULONG_MAX, type mmu_notifier_ops, type intel_svm } from "tlbkata";
import { intel_mmuops as ref } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    if (!(start === 0 && end >= ULONG_MAX)) return ref.invalidate_secondary_tlbs!(mn, mm, start, end);
    const svm = container_of<intel_svm>(mn);
    rcu_read_lock(svm.sim);
    for (const sdev of list_for_each_entry_rcu(svm.devs)) {
      sdev.iommu.qi_submit(build_p_iotlb_inv_dsc_all(sdev.did, svm.pasid));
      if (sdev.dev_iotlb) sdev.iommu.qi_submit(build_dev_tlb_pasid_inv_dsc_all(sdev.sid, svm.pasid, sdev.qdep));
    }
    rcu_read_unlock(svm.sim);
  },
};
