// Wrong: "to be safe" flushes the whole PASID on every call instead of the range.
import { container_of, type mmu_notifier_ops, type acme_ctx } from "tlbkata";
import { acme_mn_ops as ref } from "../../../solutions/04-rename-migration/acme_sva";

export const acme_mn_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn) {
    const ctx = container_of<acme_ctx>(mn);
    ctx.iommu.inv_pasid(ctx.pasid);
    ctx.iommu.sync();
  },
};
