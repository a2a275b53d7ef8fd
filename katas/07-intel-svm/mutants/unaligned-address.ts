// Wrong: rounds the mask up to a power of two but sends the range's own unaligned start: the unit invalidates the aligned block containing it, not the range.
import { container_of, rcu_read_lock, rcu_read_unlock, list_for_each_entry_rcu, build_p_iotlb_inv_dsc, build_dev_tlb_pasid_inv_dsc, VTD_PAGE_SIZE, type mmu_notifier_ops, type intel_svm } from "tlbkata";
import { intel_mmuops as ref } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const svm = container_of<intel_svm>(mn);
    const pages = Math.ceil((end - start) / VTD_PAGE_SIZE);
    if (pages > 1 << 16) return ref.invalidate_secondary_tlbs!(mn, mm, start, end);
    const am = Math.ceil(Math.log2(pages));
    rcu_read_lock(svm.sim);
    for (const sdev of list_for_each_entry_rcu(svm.devs)) {
      sdev.iommu.qi_submit(build_p_iotlb_inv_dsc(sdev.did, svm.pasid, start, am, 0));
      if (sdev.dev_iotlb) sdev.iommu.qi_submit(build_dev_tlb_pasid_inv_dsc(sdev.sid, svm.pasid, sdev.qdep, start, am));
      sdev.iommu.qi_wait();
    }
    rcu_read_unlock(svm.sim);
  },
};
