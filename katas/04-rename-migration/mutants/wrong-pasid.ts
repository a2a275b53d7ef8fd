// Wrong: invalidates PASID 0 (IOMMU_NO_PASID, the device's own DMA address space) instead of the context's PASID: the process's translations stay cached.
import { container_of, type mmu_notifier_ops, type acme_ctx } from "tlbkata";
import { acme_mn_ops as ref } from "../../../solutions/04-rename-migration/acme_sva";

export const acme_mn_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const ctx = container_of<acme_ctx>(mn);
    ctx.iommu.inv_range(0, start, end);
    ctx.iommu.sync();
  },
};
