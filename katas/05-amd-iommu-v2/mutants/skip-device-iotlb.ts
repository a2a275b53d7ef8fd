// Wrong: flushes the IOMMU's IOTLB but never the ATS device's own IOTLB.
import { container_of, build_inv_iommu_pasid, type mmu_notifier_ops, type pasid_state } from "tlbkata";
import { iommu_mn as ref } from "../../../solutions/05-amd-iommu-v2/amd_iommu_v2";

export const iommu_mn: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn) {
    const ps = container_of<pasid_state>(mn);
    const d = ps.device_state;
    d.iommu.iommu_queue_command(build_inv_iommu_pasid(d.domain.id, ps.pasid, 0n, true));
    d.iommu.iommu_completion_wait();
  },
};
