// Wrong: the whole-PASID flush passes all = false (copy-pasted from the one-page path), so it invalidates only the page at address 0.
import { container_of, PAGE_SIZE, ULONG, ul_sub, build_inv_iommu_pasid, build_inv_iotlb_pasid, type unsigned_long, type mmu_notifier_ops, type pasid_state, type device_state } from "tlbkata";
import { iommu_mn as ref } from "../../../solutions/05-amd-iommu-v2/amd_iommu_v2";

function __flush_pasid(d: device_state, pasid: number, address: unsigned_long, all: boolean): void {
  d.iommu.iommu_queue_command(build_inv_iommu_pasid(d.domain.id, pasid, address, false));
  d.iommu.iommu_completion_wait();
  if (d.ats_enabled) {
    d.iommu.iommu_queue_command(build_inv_iotlb_pasid(d.devid, pasid, address, false));
    d.iommu.iommu_completion_wait();
  }
}

export const iommu_mn: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const ps = container_of<pasid_state>(mn);
    if ((ULONG(start) ^ ul_sub(ULONG(end), 1n)) < ULONG(PAGE_SIZE)) __flush_pasid(ps.device_state, ps.pasid, ULONG(start), false);
    else __flush_pasid(ps.device_state, ps.pasid, 0n, true);
  },
};
