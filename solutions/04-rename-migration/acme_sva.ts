/**
 * Kata 04 (rename migration), reference solution: one callback,
 * invalidate_secondary_tlbs, that queues the shootdown and waits for it before
 * returning, without sleeping; start/end are gone.
 */
import { container_of, type mm_struct, type mmu_notifier, type mmu_notifier_ops, type acme_ctx } from "tlbkata";

/** Queue an IOTLB invalidation of [start, end) for the context's PASID. */
function acme_queue_inv(ctx: acme_ctx, start: number, end: number): void {
  ctx.iommu.inv_range(ctx.pasid, start, end);
  ctx.pending = ctx.pending + 1;
}

/** Wait for every queued invalidation: the sync polls, so no lock that sleeps. */
function acme_wait(ctx: acme_ctx): void {
  if (ctx.pending) {
    ctx.iommu.sync();
    ctx.pending = 0;
  }
}

/* Called when the CPU TLB is flushed, often under the page-table lock: finish before returning, never sleep. */
function acme_invalidate_secondary_tlbs(mn: mmu_notifier, _mm: mm_struct, start: number, end: number): void {
  const ctx = container_of<acme_ctx>(mn);
  acme_queue_inv(ctx, start, end);
  acme_wait(ctx);
}

function acme_release(mn: mmu_notifier, _mm: mm_struct): void {
  const ctx = container_of<acme_ctx>(mn);
  if (ctx.invalid) return;
  ctx.iommu.unbind(ctx.pasid);
  ctx.iommu.inv_pasid(ctx.pasid);
  ctx.iommu.sync();
  ctx.invalid = true;
}

export const acme_mn_ops: mmu_notifier_ops = {
  name: "acme_sva",
  invalidate_secondary_tlbs: acme_invalidate_secondary_tlbs,
  release: acme_release,
};
