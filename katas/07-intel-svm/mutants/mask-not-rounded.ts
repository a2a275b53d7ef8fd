// Wrong: the address mask is ilog2(pages), not rounded up to a power of two, so the block is too small and the end of the range stays cached.
import { container_of, rcu_read_lock, rcu_read_unlock, list_for_each_entry_rcu, build_p_iotlb_inv_dsc, build_dev_tlb_pasid_inv_dsc, VTD_PAGE_SIZE, type mmu_notifier_ops, type intel_svm } from "tlbkata";
import { intel_mmuops as ref } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const svm = container_of<intel_svm>(mn);
    const pages = Math.ceil((end - start) / VTD_PAGE_SIZE);
    if (pages > 1 << 16) return ref.invalidate_secondary_tlbs!(mn, mm, start, end);
    const am = Math.floor(Math.log2(pages));
    const size = 2 ** am * VTD_PAGE_SIZE;
    const addr = Math.floor(start / size) * size;
    rcu_read_lock(svm.sim);
    for (const sdev of list_for_each_entry_rcu(svm.devs)) {
      sdev.iommu.qi_submit(build_p_iotlb_inv_dsc(sdev.did, svm.pasid, addr, am, 0));
      if (sdev.dev_iotlb) sdev.iommu.qi_submit(build_dev_tlb_pasid_inv_dsc(sdev.sid, svm.pasid, sdev.qdep, addr, am));
      sdev.iommu.qi_wait();
    }
    rcu_read_unlock(svm.sim);
  },
};
