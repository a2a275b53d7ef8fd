// Wrong: queues every device's descriptors and waits once, on the last device's unit: the first VT-d unit's queue is still running when the callback returns (each unit has its own invalidation queue).
import { container_of, rcu_read_lock, rcu_read_unlock, list_for_each_entry_rcu, cap_max_amask_val, build_p_iotlb_inv_dsc, build_dev_tlb_pasid_inv_dsc, VTD_PAGE_SIZE, ULONG_MAX, type mmu_notifier_ops, type intel_svm, type intel_svm_dev } from "tlbkata";
import { intel_mmuops as ref } from "../../../solutions/07-intel-svm/intel_svm";

export const intel_mmuops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    if (start === 0 && end >= ULONG_MAX) return ref.invalidate_secondary_tlbs!(mn, mm, start, end);
    const svm = container_of<intel_svm>(mn);
    const pages = Math.ceil((end - start) / VTD_PAGE_SIZE);
    let shift = 0;
    while (2 ** shift < pages) shift++;
    const align = 2 ** shift * VTD_PAGE_SIZE;
    const last = Math.ceil((start + pages * VTD_PAGE_SIZE) / align) * align;
    let lastDev: intel_svm_dev | undefined;
    rcu_read_lock(svm.sim);
    const devs = list_for_each_entry_rcu(svm.devs);
    // Above the unit's largest mask, the reference's whole-PASID flush.
    if (devs.some((d) => shift > cap_max_amask_val(d.iommu))) {
      rcu_read_unlock(svm.sim);
      return ref.invalidate_secondary_tlbs!(mn, mm, start, end);
    }
    for (const sdev of devs) {
      for (let a = Math.floor(start / align) * align; a < last; a += align) {
        sdev.iommu.qi_submit(build_p_iotlb_inv_dsc(sdev.did, svm.pasid, a, shift, 0));
        if (sdev.dev_iotlb) sdev.iommu.qi_submit(build_dev_tlb_pasid_inv_dsc(sdev.sid, svm.pasid, sdev.qdep, a, shift));
      }
      lastDev = sdev;
    }
    lastDev?.iommu.qi_wait();
    rcu_read_unlock(svm.sim);
  },
};
