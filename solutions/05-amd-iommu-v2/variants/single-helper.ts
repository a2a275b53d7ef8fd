/**
 * Kata 05, a correct solution written differently: one flush helper with the extent
 * as a parameter and the single-page test done on the page's first byte, in unsigned
 * long (a remainder instead of the kernel's xor). The IOMMU's IOTLB is cleaned and
 * waited for before the device's (which could refill from it).
 */
import { container_of, PAGE_SIZE, ULONG, ul_sub, build_inv_iommu_pasid, build_inv_iotlb_pasid, type unsigned_long, type mmu_notifier_ops, type pasid_state, type device_state } from "tlbkata";

function flush(d: device_state, pasid: number, address: unsigned_long | null): void {
  const all = address === null;
  d.iommu.iommu_queue_command(build_inv_iommu_pasid(d.domain.id, pasid, address ?? 0n, all));
  d.iommu.iommu_completion_wait();
  if (!d.ats_enabled) return;
  d.iommu.iommu_queue_command(build_inv_iotlb_pasid(d.devid, pasid, address ?? 0n, all));
  d.iommu.iommu_completion_wait();
}

export const amd_iommu_flush_page = (d: device_state, pasid: number, address: unsigned_long): void => flush(d, pasid, address);
export const amd_iommu_flush_tlb = (d: device_state, pasid: number): void => flush(d, pasid, null);

export const iommu_mn: mmu_notifier_ops = {
  name: "amd_iommu_v2 (variant)",
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const s = container_of<pasid_state>(mn);
    const page = ULONG(PAGE_SIZE);
    const first = ul_sub(ULONG(start), ULONG(start) % page);
    // end - 1 - first, in unsigned long: (0, ULONG_MAX) gives 2^64 - 2, not a page.
    flush(s.device_state, s.pasid, ul_sub(ul_sub(ULONG(end), 1n), first) < page ? first : null);
  },
  release(mn) {
    const s = container_of<pasid_state>(mn);
    if (!s.invalid) s.device_state.inv_ctx_cb?.(s.pasid);
    s.invalid = true;
    s.device_state.iommu.amd_iommu_domain_clear_gcr3(s.pasid);
    flush(s.device_state, s.pasid, null);
  },
};
