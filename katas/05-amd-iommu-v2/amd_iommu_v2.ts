/**
 * Kata 05: the AMD IOMMU v2 driver's mmu_notifier (drivers/iommu/amd/iommu_v2.c).
 *
 * Fill in the four functions marked TODO. Read README.md first; run the visible
 * tests with `npx tlbkata check 05` (or the check cell in notebook 05).
 */
import {
  container_of,
  PAGE_SIZE,
  ULONG,
  ul_add,
  ul_sub,
  ul_shr,
  build_inv_iommu_pasid,
  build_inv_iotlb_pasid,
  type unsigned_long,
  type mm_struct,
  type mmu_notifier,
  type mmu_notifier_ops,
  type pasid_state,
  type device_state,
} from "tlbkata";

/**
 * Invalidate one page of `pasid`: in the IOMMU's IOTLB and, when the device uses ATS,
 * in the device's own IOTLB. Return only when the hardware has done it. `address` is a
 * u64, as in the kernel: an unsigned_long (bigint).
 */
export function amd_iommu_flush_page(dev_state: device_state, pasid: number, address: unsigned_long): void {
  // TODO: queue the invalidation command(s) with dev_state.iommu.iommu_queue_command()
  //       and wait for them with dev_state.iommu.iommu_completion_wait().
}

/** Invalidate every page of `pasid`, in both places, and wait. */
export function amd_iommu_flush_tlb(dev_state: device_state, pasid: number): void {
  // TODO
}

/** invalidate_secondary_tlbs: [start, end) of `mm` lost its translation. May run under the ptl (most call sites hold it): never sleep. */
export function mn_invalidate_range(mn: mmu_notifier, mm: mm_struct, start: number, end: number): void {
  const pasid_state = container_of<pasid_state>(mn);
  // start and end are unsigned long in the kernel: compute on these, with ul_sub() and
  // friends (README.md, "Addresses are 64 bits"), not on the numbers.
  const s: unsigned_long = ULONG(start);
  const e: unsigned_long = ULONG(end);
  // TODO: one page -> amd_iommu_flush_page(); more -> amd_iommu_flush_tlb().
}

/** release: the mm is exiting. Stop the device using it and forget everything cached. */
function mn_release(mn: mmu_notifier, mm: mm_struct): void {
  const pasid_state = container_of<pasid_state>(mn);
  // TODO: see README.md, "release".
}

export const iommu_mn: mmu_notifier_ops = {
  name: "amd_iommu_v2",
  invalidate_secondary_tlbs: mn_invalidate_range,
  release: mn_release,
};
