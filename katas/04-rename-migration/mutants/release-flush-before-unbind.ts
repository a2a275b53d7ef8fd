// Wrong: release flushes the PASID and only then clears its entry (unbind): between the two the device walks the dying mm's page table again and refills (AMD's release clears the PASID's GCR3 entry first, then flushes: v6.5:drivers/iommu/amd/iommu_v2.c:375-391).
import { container_of, type mmu_notifier_ops, type acme_ctx } from "tlbkata";
import { acme_mn_ops as ref } from "../../../solutions/04-rename-migration/acme_sva";

export const acme_mn_ops: mmu_notifier_ops = {
  ...ref,
  release(mn) {
    const ctx = container_of<acme_ctx>(mn);
    if (ctx.invalid) return;
    ctx.iommu.inv_pasid(ctx.pasid);
    ctx.iommu.sync();
    ctx.iommu.unbind(ctx.pasid);
    ctx.invalid = true;
  },
};
