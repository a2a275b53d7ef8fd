// Wrong: release queues the whole-PASID invalidation but never waits for it (the sync is missing on this one path): exit frees the pages while the command is still queued.
import { container_of, type mmu_notifier_ops, type acme_ctx } from "tlbkata";
import { acme_mn_ops as ref } from "../../../solutions/04-rename-migration/acme_sva";

export const acme_mn_ops: mmu_notifier_ops = {
  ...ref,
  release(mn) {
    const ctx = container_of<acme_ctx>(mn);
    if (ctx.invalid) return;
    ctx.iommu.unbind(ctx.pasid);
    ctx.iommu.inv_pasid(ctx.pasid);
    ctx.invalid = true;
  },
};
