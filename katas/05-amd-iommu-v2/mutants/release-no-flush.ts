// Wrong: release clears the GCR3 entry but leaves the IOTLBs full of the dying mm's translations.
import { container_of, type mmu_notifier_ops, type pasid_state } from "tlbkata";
import { iommu_mn as ref } from "../../../solutions/05-amd-iommu-v2/amd_iommu_v2";

export const iommu_mn: mmu_notifier_ops = {
  ...ref,
  release(mn) {
    const ps = container_of<pasid_state>(mn);
    ps.invalid = true;
    ps.device_state.iommu.amd_iommu_domain_clear_gcr3(ps.pasid);
  },
};
