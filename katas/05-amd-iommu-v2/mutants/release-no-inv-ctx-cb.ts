// Wrong: release tears the PASID down but never tells the device driver (inv_ctx_cb), so the device keeps submitting work for a dead mm.
import { container_of, type mmu_notifier_ops, type pasid_state } from "tlbkata";
import { iommu_mn as ref, amd_iommu_flush_tlb } from "../../../solutions/05-amd-iommu-v2/amd_iommu_v2";

export const iommu_mn: mmu_notifier_ops = {
  ...ref,
  release(mn) {
    const ps = container_of<pasid_state>(mn);
    ps.invalid = true;
    ps.device_state.iommu.amd_iommu_domain_clear_gcr3(ps.pasid);
    amd_iommu_flush_tlb(ps.device_state, ps.pasid);
  },
};
