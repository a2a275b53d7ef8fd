/**
 * Kata 07: the Intel VT-d SVM driver's mmu_notifier (drivers/iommu/intel/svm.c).
 *
 * Fill in the functions marked TODO. Read README.md first; run the visible tests
 * with `npx tlbkata check 07` (or the check cell in notebook 07).
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
  VTD_PAGE_SHIFT,
  PAGE_SIZE,
  ULONG,
  ULONG_MAX_UL,
  ul_add,
  ul_sub,
  ul_shl,
  ul_shr,
  ul_to_number,
  type unsigned_long,
  type mm_struct,
  type mmu_notifier,
  type mmu_notifier_ops,
  type intel_svm,
  type intel_svm_dev,
} from "tlbkata";

/**
 * Invalidate `pages` pages from `address` for one device: in its VT-d unit's IOTLB
 * and, when sdev.dev_iotlb, in the device's own device-TLB. Return only when the unit
 * has done it. Each page-selective descriptor names a naturally aligned block of
 * 2^AM pages: see README.md, "the hardware rule".
 */
export function intel_flush_svm_range_dev(svm: intel_svm, sdev: intel_svm_dev, address: unsigned_long, pages: unsigned_long, ih: number): void {
  // TODO: sdev.iommu.qi_submit(build_p_iotlb_inv_dsc(sdev.did, svm.pasid, addr, am, ih)) for
  //       aligned blocks covering the range (or build_p_iotlb_inv_dsc_all when the block
  //       would be larger than cap_max_amask_val(sdev.iommu) allows), the same for the
  //       device-TLB with build_dev_tlb_pasid_inv_dsc(sdev.sid, svm.pasid, sdev.qdep, addr, order),
  //       then sdev.iommu.qi_wait(). address and pages are unsigned longs (bigint):
//       compute with ul_add/ul_sub/ul_shl/ul_shr, and turn the values you put in a
//       descriptor into numbers with ul_to_number().
  throw new Error("intel_flush_svm_range_dev: not implemented yet");
}

/** Flush [address, address + pages) on every device bound to the svm. */
export function intel_flush_svm_range(svm: intel_svm, address: unsigned_long, pages: unsigned_long, ih: number): void {
  // TODO: walk svm.devs with list_for_each_entry_rcu() inside rcu_read_lock(svm.sim) ... rcu_read_unlock(svm.sim).
  throw new Error("intel_flush_svm_range: not implemented yet");
}

/** invalidate_secondary_tlbs: [start, end) of `mm` lost its translation. May run under the ptl (most call sites hold it): never sleep. */
function intel_invalidate_range(mn: mmu_notifier, mm: mm_struct, start: number, end: number): void {
  const svm = container_of<intel_svm>(mn);
  // TODO: v6.6 did only this, and invalidated nothing for (0, -1UL): see README.md, "the v6.6 bug".
  //   intel_flush_svm_range(svm, ULONG(start), ul_shr(ul_add(ul_sub(ULONG(end), ULONG(start)), ULONG(PAGE_SIZE - 1)), VTD_PAGE_SHIFT), 0);
  throw new Error("intel_invalidate_range: not implemented yet");
}

/** release: the mm is exiting. Stop every device from reaching it, quietly. */
function intel_mm_release(mn: mmu_notifier, mm: mm_struct): void {
  const svm = container_of<intel_svm>(mn);
  // TODO: see README.md, "release".
  throw new Error("intel_mm_release: not implemented yet");
}

export const intel_mmuops: mmu_notifier_ops = {
  name: "intel_svm",
  release: intel_mm_release,
  invalidate_secondary_tlbs: intel_invalidate_range,
};
