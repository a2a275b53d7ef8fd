/**
 * Kata 05, reference solution: the AMD IOMMU v2 driver's mmu_notifier.
 */
import {
  container_of,
  PAGE_SIZE,
  ULONG,
  ul_sub,
  build_inv_iommu_pasid,
  build_inv_iotlb_pasid,
  type unsigned_long,
  type mm_struct,
  type mmu_notifier,
  type mmu_notifier_ops,
  type pasid_state,
  type device_state,
} from "tlbkata";

/** Invalidate one page of `pasid` in the IOMMU's IOTLB and the device's, and wait. */
export function amd_iommu_flush_page(dev_state: device_state, pasid: number, address: unsigned_long): void {
  __flush_pasid(dev_state, pasid, address, false);
}

/** Invalidate every page of `pasid`, and wait. */
export function amd_iommu_flush_tlb(dev_state: device_state, pasid: number): void {
  __flush_pasid(dev_state, pasid, 0n, true);
}

/** The IOMMU's IOTLB first, waited for, then the device's: the device refills from the IOMMU. */
export function __flush_pasid(dev_state: device_state, pasid: number, address: unsigned_long, all: boolean): void {
  const iommu = dev_state.iommu;
  iommu.iommu_queue_command(build_inv_iommu_pasid(dev_state.domain.id, pasid, address, all));
  iommu.iommu_completion_wait();
  // The IOMMU's own IOTLB is clean; an ATS device keeps translations of its own.
  if (dev_state.ats_enabled) {
    iommu.iommu_queue_command(build_inv_iotlb_pasid(dev_state.devid, pasid, address, all));
    iommu.iommu_completion_wait();
  }
}

/**
 * invalidate_secondary_tlbs. The kernel's one-page test, `(start ^ (end - 1)) < PAGE_SIZE`
 * (v6.5:drivers/iommu/amd/iommu_v2.c:368), computed in unsigned long: for (0, ULONG_MAX)
 * `end - 1` is 0xffff_ffff_ffff_fffe and the xor is far above a page.
 */
export function mn_invalidate_range(mn: mmu_notifier, _mm: mm_struct, start: number, end: number): void {
  const pasid_state = container_of<pasid_state>(mn);
  const dev_state = pasid_state.device_state;
  const s = ULONG(start);
  const e = ULONG(end);
  // One page: flush just it. Anything larger: the whole PASID is cheaper than a loop.
  if ((s ^ ul_sub(e, 1n)) < ULONG(PAGE_SIZE)) amd_iommu_flush_page(dev_state, pasid_state.pasid, s);
  else amd_iommu_flush_tlb(dev_state, pasid_state.pasid);
}

function mn_release(mn: mmu_notifier, _mm: mm_struct): void {
  const pasid_state = container_of<pasid_state>(mn);
  const dev_state = pasid_state.device_state;
  if (!pasid_state.invalid && dev_state.inv_ctx_cb) dev_state.inv_ctx_cb(pasid_state.pasid);
  pasid_state.invalid = true;
  // unbind_pasid(): no more walks through this mm, and nothing cached from it.
  dev_state.iommu.amd_iommu_domain_clear_gcr3(pasid_state.pasid);
  amd_iommu_flush_tlb(dev_state, pasid_state.pasid);
}

export const iommu_mn: mmu_notifier_ops = {
  name: "amd_iommu_v2",
  invalidate_secondary_tlbs: mn_invalidate_range,
  release: mn_release,
};
