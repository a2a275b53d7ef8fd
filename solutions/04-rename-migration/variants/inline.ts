/**
 * Kata 04 (rename migration), a correct solution written differently: the ops table
 * with methods written inline, no pending counter, and release reusing the flush.
 */
import { container_of, type mmu_notifier_ops, type acme_ctx } from "tlbkata";

const ctx_of = container_of<acme_ctx>;

export const acme_mn_ops: mmu_notifier_ops = {
  name: "acme_sva (migrated)",
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const ctx = ctx_of(mn);
    ctx.iommu.inv_range(ctx.pasid, start, end);
    ctx.iommu.sync();
  },
  release(mn) {
    const ctx = ctx_of(mn);
    if (!ctx.invalid) {
      ctx.invalid = true;
      ctx.iommu.unbind(ctx.pasid);
      ctx.iommu.inv_pasid(ctx.pasid);
      ctx.iommu.sync();
    }
  },
};
