/**
 * Kata 07, a correct solution written differently: the range is cut into the largest
 * naturally aligned blocks that fit inside it (as a buddy allocator would), each block
 * is sent as its own descriptor pair and waited for at once (qi_submit_sync, the way
 * dmar.c's helpers do it), the IOTLB before the device-TLB (a device-TLB cleaned first
 * could refill from the IOTLB); a range of more than 512 pages, or one whose blocks are
 * larger than cap_max_amask_val allows, flushes the whole PASID.
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
  VTD_PAGE_SIZE,
  cap_max_amask_val,
  type mmu_notifier_ops,
  type intel_svm,
  type intel_svm_dev,
} from "tlbkata";

const WHOLE_PASID_ABOVE = 512;

/** [first page, order] blocks: aligned to their size, inside [first, first + n). */
function blocks(first: number, n: number): [number, number][] {
  const out: [number, number][] = [];
  let p = first;
  const end = first + n;
  while (p < end) {
    let order = 0;
    while (p % 2 ** (order + 1) === 0 && p + 2 ** (order + 1) <= end) order++;
    out.push([p, order]);
    p += 2 ** order;
  }
  return out;
}

function flush_dev(svm: intel_svm, sdev: intel_svm_dev, first: number, n: number): void {
  const io = sdev.iommu;
  const bs = n > WHOLE_PASID_ABOVE ? [] : blocks(first, n);
  if (n > WHOLE_PASID_ABOVE || bs.some(([, order]) => order > cap_max_amask_val(io))) {
    io.qi_submit_sync(build_p_iotlb_inv_dsc_all(sdev.did, svm.pasid));
    if (sdev.dev_iotlb) io.qi_submit_sync(build_dev_tlb_pasid_inv_dsc_all(sdev.sid, svm.pasid, sdev.qdep));
    return;
  }
  for (const [p, order] of bs) {
    const addr = p * VTD_PAGE_SIZE;
    io.qi_submit_sync(build_p_iotlb_inv_dsc(sdev.did, svm.pasid, addr, order, 0));
    if (sdev.dev_iotlb) io.qi_submit_sync(build_dev_tlb_pasid_inv_dsc(sdev.sid, svm.pasid, sdev.qdep, addr, order));
  }
}

export const intel_mmuops: mmu_notifier_ops = {
  name: "intel_svm (variant)",
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const svm = container_of<intel_svm>(mn);
    const first = Math.floor(start / VTD_PAGE_SIZE);
    const n = Math.ceil(end / VTD_PAGE_SIZE) - first;
    rcu_read_lock(svm.sim);
    for (const sdev of list_for_each_entry_rcu(svm.devs)) flush_dev(svm, sdev, first, n);
    rcu_read_unlock(svm.sim);
  },
  release(mn) {
    const svm = container_of<intel_svm>(mn);
    rcu_read_lock(svm.sim);
    list_for_each_entry_rcu(svm.devs).forEach((sdev) => intel_pasid_tear_down_entry(sdev.iommu, sdev.dev, svm.pasid, true));
    rcu_read_unlock(svm.sim);
  },
};
