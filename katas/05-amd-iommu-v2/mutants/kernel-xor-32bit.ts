// Wrong: copies the kernel's one-page test (start ^ (end - 1)) < PAGE_SIZE into JavaScript, whose ^ works on 32 bits: (0, ULONG_MAX) looks like one page.
import { container_of, PAGE_SIZE, build_inv_iommu_pasid, build_inv_iotlb_pasid, type mmu_notifier_ops, type pasid_state, type device_state } from "tlbkata";
import { iommu_mn as ref } from "../../../solutions/05-amd-iommu-v2/amd_iommu_v2";

function flush(d: device_state, pasid: number, address: number, all: boolean): void {
  d.iommu.iommu_queue_command(build_inv_iommu_pasid(d.domain.id, pasid, address, all));
  d.iommu.iommu_completion_wait();
  if (d.ats_enabled) {
    d.iommu.iommu_queue_command(build_inv_iotlb_pasid(d.devid, pasid, address, all));
    d.iommu.iommu_completion_wait();
  }
}

export const iommu_mn: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const ps = container_of<pasid_state>(mn);
    if ((start ^ (end - 1)) < PAGE_SIZE) flush(ps.device_state, ps.pasid, start, false);
    else flush(ps.device_state, ps.pasid, 0, true);
  },
};
