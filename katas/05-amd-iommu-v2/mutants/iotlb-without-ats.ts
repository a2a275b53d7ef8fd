// Wrong: sends INVALIDATE_IOTLB_PAGES whether or not the device uses ATS: a device without ATS has no IOTLB, so every call pays a command for nothing.
import { container_of, ULONG, ul_sub, PAGE_SIZE, build_inv_iommu_pasid, build_inv_iotlb_pasid, type mmu_notifier_ops, type pasid_state, type unsigned_long, type device_state } from "tlbkata";
import { iommu_mn as ref } from "../../../solutions/05-amd-iommu-v2/amd_iommu_v2";

function flush(d: device_state, pasid: number, address: unsigned_long, all: boolean): void {
  d.iommu.iommu_queue_command(build_inv_iommu_pasid(d.domain.id, pasid, address, all));
  d.iommu.iommu_completion_wait();
  d.iommu.iommu_queue_command(build_inv_iotlb_pasid(d.devid, pasid, address, all));
  d.iommu.iommu_completion_wait();
}

export const iommu_mn: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const ps = container_of<pasid_state>(mn);
    const s = ULONG(start);
    if ((s ^ ul_sub(ULONG(end), 1n)) < ULONG(PAGE_SIZE)) flush(ps.device_state, ps.pasid, s, false);
    else flush(ps.device_state, ps.pasid, 0n, true);
  },
};
