// Wrong: puts the rounded page count, __roundup_pow_of_two(pages), in the AM field, which wants its order (ilog2): two pages name a four-page block their address is not aligned to, 1024 pages an AM the unit rejects.
import { container_of, rcu_read_lock, rcu_read_unlock, list_for_each_entry_rcu, build_p_iotlb_inv_dsc, build_dev_tlb_pasid_inv_dsc, VTD_PAGE_SIZE, ULONG_MAX, type mmu_notifier_ops, type intel_svm } from "tlbkata";
import { intel_flush_svm_all, intel_mmuops as ref } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const svm = container_of<intel_svm>(mn);
    if (start === 0 && end >= ULONG_MAX) return intel_flush_svm_all(svm);
    const pages = Math.ceil((end - start) / VTD_PAGE_SIZE);
    let rounded = 1;
    while (rounded < pages) rounded *= 2;
    const size = rounded * VTD_PAGE_SIZE;
    rcu_read_lock(svm.sim);
    for (const sdev of list_for_each_entry_rcu(svm.devs)) {
      for (let a = Math.floor(start / size) * size; a < end; a += size) {
        sdev.iommu.qi_submit(build_p_iotlb_inv_dsc(sdev.did, svm.pasid, a, rounded, 0));
        if (sdev.dev_iotlb) sdev.iommu.qi_submit(build_dev_tlb_pasid_inv_dsc(sdev.sid, svm.pasid, sdev.qdep, a, rounded));
      }
      sdev.iommu.qi_wait();
    }
    rcu_read_unlock(svm.sim);
  },
};
