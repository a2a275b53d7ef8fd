// Wrong: release flushes the PASID first and clears its GCR3 entry after: in between the device walks the dying mm again and refills both IOTLBs.
import { container_of, type mmu_notifier_ops, type pasid_state } from "tlbkata";
import { amd_iommu_flush_tlb, iommu_mn as ref } from "../../../solutions/05-amd-iommu-v2/amd_iommu_v2";

export const iommu_mn: mmu_notifier_ops = {
  ...ref,
  release(mn) {
    const ps = container_of<pasid_state>(mn);
    const d = ps.device_state;
    if (!ps.invalid && d.inv_ctx_cb) d.inv_ctx_cb(ps.pasid);
    ps.invalid = true;
    amd_iommu_flush_tlb(d, ps.pasid);
    d.iommu.amd_iommu_domain_clear_gcr3(ps.pasid);
  },
};
