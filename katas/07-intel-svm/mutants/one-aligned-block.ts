// Wrong: aligns the address down to the 2^AM block but sends that one block only: a range that crosses a block boundary loses its tail (2d6ffc63f124 "iommu/vt-d: Fix unaligned addresses for intel_flush_svm_range_dev()" covers the range with a loop of aligned blocks).
import { container_of, rcu_read_lock, rcu_read_unlock, list_for_each_entry_rcu, build_p_iotlb_inv_dsc, build_dev_tlb_pasid_inv_dsc, VTD_PAGE_SIZE, ULONG_MAX, type mmu_notifier_ops, type intel_svm } from "tlbkata";
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
    const a = Math.floor(start / align) * align;
    rcu_read_lock(svm.sim);
    for (const sdev of list_for_each_entry_rcu(svm.devs)) {
      sdev.iommu.qi_submit(build_p_iotlb_inv_dsc(sdev.did, svm.pasid, a, shift, 0));
      if (sdev.dev_iotlb) sdev.iommu.qi_submit(build_dev_tlb_pasid_inv_dsc(sdev.sid, svm.pasid, sdev.qdep, a, shift));
      sdev.iommu.qi_wait();
    }
    rcu_read_unlock(svm.sim);
  },
};
