// Wrong: invalidate_secondary_tlbs waits for what was queued before and only then queues its own invalidation ("wait, then submit"): the wait comes before the last command, so nothing waits for it.
import { container_of, type mmu_notifier_ops, type acme_ctx } from "tlbkata";
import { acme_mn_ops as ref } from "../../../solutions/04-rename-migration/acme_sva";

export const acme_mn_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const ctx = container_of<acme_ctx>(mn);
    if (ctx.pending) {
      ctx.iommu.sync();
      ctx.pending = 0;
    }
    ctx.iommu.inv_range(ctx.pasid, start, end);
    ctx.pending = ctx.pending + 1;
  },
};
