// Wrong: flushes the whole PASID as soon as the order reaches cap_max_amask_val (>=), though a block of exactly 2^MAMV pages is a valid page-selective invalidation.
import { container_of, rcu_read_lock, rcu_read_unlock, list_for_each_entry_rcu, build_p_iotlb_inv_dsc, build_p_iotlb_inv_dsc_all, build_dev_tlb_pasid_inv_dsc, build_dev_tlb_pasid_inv_dsc_all, cap_max_amask_val, VTD_PAGE_SIZE, ULONG_MAX, type mmu_notifier_ops, type intel_svm } from "tlbkata";
import { intel_flush_svm_all, intel_mmuops as ref } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const svm = container_of<intel_svm>(mn);
    if (start === 0 && end >= ULONG_MAX) return intel_flush_svm_all(svm);
    const pages = Math.ceil((end - start) / VTD_PAGE_SIZE);
    let shift = 0;
    while (2 ** shift < pages) shift++;
    const align = 2 ** shift * VTD_PAGE_SIZE;
    const last = Math.ceil((start + pages * VTD_PAGE_SIZE) / align) * align;
    rcu_read_lock(svm.sim);
    for (const sdev of list_for_each_entry_rcu(svm.devs)) {
      if (shift >= cap_max_amask_val(sdev.iommu)) {
        sdev.iommu.qi_submit(build_p_iotlb_inv_dsc_all(sdev.did, svm.pasid));
        if (sdev.dev_iotlb) sdev.iommu.qi_submit(build_dev_tlb_pasid_inv_dsc_all(sdev.sid, svm.pasid, sdev.qdep));
      } else {
        for (let a = Math.floor(start / align) * align; a < last; a += align) {
          sdev.iommu.qi_submit(build_p_iotlb_inv_dsc(sdev.did, svm.pasid, a, shift, 0));
          if (sdev.dev_iotlb) sdev.iommu.qi_submit(build_dev_tlb_pasid_inv_dsc(sdev.sid, svm.pasid, sdev.qdep, a, shift));
        }
      }
      sdev.iommu.qi_wait();
    }
    rcu_read_unlock(svm.sim);
  },
};
