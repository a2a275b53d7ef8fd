// Wrong: one single-page descriptor per page of the range: (0, ULONG_MAX) becomes a soft lockup.
import { container_of, rcu_read_lock, rcu_read_unlock, list_for_each_entry_rcu, build_p_iotlb_inv_dsc, build_dev_tlb_pasid_inv_dsc, VTD_PAGE_SIZE, type mmu_notifier_ops, type intel_svm } from "tlbkata";
import { intel_mmuops as ref } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const svm = container_of<intel_svm>(mn);
    rcu_read_lock(svm.sim);
    for (const sdev of list_for_each_entry_rcu(svm.devs)) {
      for (let a = start; a < end; a += VTD_PAGE_SIZE) {
        sdev.iommu.qi_submit(build_p_iotlb_inv_dsc(sdev.did, svm.pasid, a, 0, 0));
        if (sdev.dev_iotlb) sdev.iommu.qi_submit(build_dev_tlb_pasid_inv_dsc(sdev.sid, svm.pasid, sdev.qdep, a, 0));
      }
      sdev.iommu.qi_wait();
    }
    rcu_read_unlock(svm.sim);
  },
};
