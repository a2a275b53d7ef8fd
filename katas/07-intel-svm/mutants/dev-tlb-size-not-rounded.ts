// Wrong: the IOTLB blocks are right, but the device-TLB invalidation names ilog2(pages) pages at the unaligned start: part of the device-TLB stays.
import { container_of, rcu_read_lock, rcu_read_unlock, list_for_each_entry_rcu, build_dev_tlb_pasid_inv_dsc, VTD_PAGE_SIZE, ULONG, type mmu_notifier_ops, type intel_svm } from "tlbkata";
import { intel_flush_svm_range_dev, intel_mmuops as ref } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const svm = container_of<intel_svm>(mn);
    const pages = Math.ceil((end - start) / VTD_PAGE_SIZE);
    if (pages > 1 << 16) return ref.invalidate_secondary_tlbs!(mn, mm, start, end);
    rcu_read_lock(svm.sim);
    for (const sdev of list_for_each_entry_rcu(svm.devs)) {
      if (sdev.dev_iotlb) sdev.iommu.qi_submit(build_dev_tlb_pasid_inv_dsc(sdev.sid, svm.pasid, sdev.qdep, start, Math.floor(Math.log2(pages))));
      intel_flush_svm_range_dev(svm, { ...sdev, dev_iotlb: false }, ULONG(start), ULONG(pages), 0);
    }
    rcu_read_unlock(svm.sim);
  },
};
