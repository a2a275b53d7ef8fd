// Wrong: flushes in invalidate_range_start instead: too soon, the device walks the old PTE again.
import { container_of, type mmu_notifier_ops, type pasid_state } from "tlbkata";
import { amd_iommu_flush_tlb, iommu_mn as ref } from "../../../solutions/05-amd-iommu-v2/amd_iommu_v2";

export const iommu_mn: mmu_notifier_ops = {
  name: ref.name,
  release: ref.release,
  invalidate_range_start(mn) {
    const ps = container_of<pasid_state>(mn);
    amd_iommu_flush_tlb(ps.device_state, ps.pasid);
    return 0;
  },
};
