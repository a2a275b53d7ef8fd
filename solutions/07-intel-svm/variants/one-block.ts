/**
 * Kata 07, a correct solution written differently: one naturally aligned block, the
 * smallest that contains the whole range (so [3, 6) becomes the 8 pages [0, 8)), for
 * the IOTLB and the device-TLB, and one wait per VT-d unit after the walk; a block
 * larger than the unit accepts becomes a whole-PASID flush.
 */
import {
  container_of,
  rcu_read_lock,
  rcu_read_unlock,
  list_for_each_entry_rcu,
  intel_pasid_tear_down_entry,
  build_p_iotlb_inv_dsc,
  build_p_iotlb_inv_dsc_all,
  build_dev_tlb_pasid_inv_dsc,
  build_dev_tlb_pasid_inv_dsc_all,
  cap_max_amask_val,
  VTD_PAGE_SIZE,
  type mmu_notifier_ops,
  type intel_svm,
  type IntelIommu,
} from "tlbkata";

/** The smallest order k whose aligned block around `first` reaches `last`. */
function covering_order(first: number, last: number): number {
  let k = 0;
  while (Math.floor(first / 2 ** k) !== Math.floor(last / 2 ** k)) k++;
  return k;
}

export const intel_mmuops: mmu_notifier_ops = {
  name: "intel_svm (one block)",
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const svm = container_of<intel_svm>(mn);
    const first = Math.floor(start / VTD_PAGE_SIZE);
    const last = Math.ceil(end / VTD_PAGE_SIZE) - 1;
    const order = covering_order(first, last);
    const addr = Math.floor(first / 2 ** order) * 2 ** order * VTD_PAGE_SIZE;
    const units = new Set<IntelIommu>();
    rcu_read_lock(svm.sim);
    for (const sdev of list_for_each_entry_rcu(svm.devs)) {
      const whole = order > cap_max_amask_val(sdev.iommu);
      sdev.iommu.qi_submit(whole ? build_p_iotlb_inv_dsc_all(sdev.did, svm.pasid) : build_p_iotlb_inv_dsc(sdev.did, svm.pasid, addr, order, 0));
      if (sdev.dev_iotlb) {
        sdev.iommu.qi_submit(whole ? build_dev_tlb_pasid_inv_dsc_all(sdev.sid, svm.pasid, sdev.qdep) : build_dev_tlb_pasid_inv_dsc(sdev.sid, svm.pasid, sdev.qdep, addr, order));
      }
      units.add(sdev.iommu);
    }
    for (const io of units) io.qi_wait();
    rcu_read_unlock(svm.sim);
  },
  release(mn) {
    const svm = container_of<intel_svm>(mn);
    rcu_read_lock(svm.sim);
    for (const sdev of list_for_each_entry_rcu(svm.devs)) intel_pasid_tear_down_entry(sdev.iommu, sdev.dev, svm.pasid, true);
    rcu_read_unlock(svm.sim);
  },
};
