/**
 * Kata 07, reference solution: the Intel VT-d SVM driver's mmu_notifier.
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

/** order_base_2(n): the smallest k with 2^k >= n. */
function order_base_2(n: unsigned_long): number {
  let k = 0;
  while (ul_shl(1n, k) < n && k < 64) k++;
  return k;
}

/** Flush everything `sdev`'s unit and device cache for the PASID. */
function flush_svm_dev_all(svm: intel_svm, sdev: intel_svm_dev): void {
  sdev.iommu.qi_submit(build_p_iotlb_inv_dsc_all(sdev.did, svm.pasid));
  if (sdev.dev_iotlb) sdev.iommu.qi_submit(build_dev_tlb_pasid_inv_dsc_all(sdev.sid, svm.pasid, sdev.qdep));
}

/**
 * Invalidate `pages` pages from `address` for one device. The hardware takes naturally
 * aligned power-of-two blocks: round the count up to a power of two, and cover the
 * range with blocks of that size aligned to it (two at most, when the range crosses a
 * block boundary). Then wait for the unit to have done it.
 */
export function intel_flush_svm_range_dev(svm: intel_svm, sdev: intel_svm_dev, address: unsigned_long, pages: unsigned_long, ih: number): void {
  if (pages === 0n) return; // as the kernel's loop: no block to cover, nothing is sent (silently)
  const shift = order_base_2(pages);
  if (shift > cap_max_amask_val(sdev.iommu)) {
    // Too big for one page-selective descriptor: the whole PASID is one descriptor.
    flush_svm_dev_all(svm, sdev);
  } else {
    const first = ul_to_number(address);
    const align = 2 ** shift * VTD_PAGE_SIZE;
    const end = Math.ceil((first + ul_to_number(pages) * VTD_PAGE_SIZE) / align) * align;
    for (let start = Math.floor(first / align) * align; start < end; start += align) {
      sdev.iommu.qi_submit(build_p_iotlb_inv_dsc(sdev.did, svm.pasid, start, shift, ih));
      // An ATS device caches translations of its own: the IOMMU does not forward its invalidations.
      if (sdev.dev_iotlb) sdev.iommu.qi_submit(build_dev_tlb_pasid_inv_dsc(sdev.sid, svm.pasid, sdev.qdep, start, shift));
    }
  }
  sdev.iommu.qi_wait();
}

/** Every bound device, walked under RCU: the list may change under an unbind. */
export function intel_flush_svm_range(svm: intel_svm, address: unsigned_long, pages: unsigned_long, ih: number): void {
  rcu_read_lock(svm.sim);
  for (const sdev of list_for_each_entry_rcu(svm.devs)) intel_flush_svm_range_dev(svm, sdev, address, pages, ih);
  rcu_read_unlock(svm.sim);
}

/** The whole PASID on every device: for a flush of the whole address space. */
export function intel_flush_svm_all(svm: intel_svm): void {
  rcu_read_lock(svm.sim);
  for (const sdev of list_for_each_entry_rcu(svm.devs)) {
    flush_svm_dev_all(svm, sdev);
    sdev.iommu.qi_wait();
  }
  rcu_read_unlock(svm.sim);
}

/** The page count v6.6 computes, in unsigned long: (end - start + PAGE_SIZE - 1) >> VTD_PAGE_SHIFT. */
export function intel_svm_pages(start: number, end: number): unsigned_long {
  return ul_shr(ul_add(ul_sub(ULONG(end), ULONG(start)), ULONG(PAGE_SIZE - 1)), VTD_PAGE_SHIFT);
}

/**
 * invalidate_secondary_tlbs: called when [start, end) lost its translation. The arch
 * flush asks for (0, -1UL), the whole address space, above its threshold and for
 * flush_tlb_mm: flush the whole PASID then (e7ad6c2a4b1a, v6.7-rc). v6.6 went straight
 * to the page count, which wraps to 0 for that range: nothing was invalidated.
 */
function intel_invalidate_range(mn: mmu_notifier, _mm: mm_struct, start: number, end: number): void {
  const svm = container_of<intel_svm>(mn);
  if (start === 0 && ULONG(end) === ULONG_MAX_UL) {
    intel_flush_svm_all(svm);
    return;
  }
  intel_flush_svm_range(svm, ULONG(start), intel_svm_pages(start, end), 0);
}

/** release: the mm is exiting. Tear down the PASID entry on every device, quietly. */
function intel_mm_release(mn: mmu_notifier, _mm: mm_struct): void {
  const svm = container_of<intel_svm>(mn);
  rcu_read_lock(svm.sim);
  for (const sdev of list_for_each_entry_rcu(svm.devs)) intel_pasid_tear_down_entry(sdev.iommu, sdev.dev, svm.pasid, true);
  rcu_read_unlock(svm.sim);
}

export const intel_mmuops: mmu_notifier_ops = {
  name: "intel_svm",
  release: intel_mm_release,
  invalidate_secondary_tlbs: intel_invalidate_range,
};
