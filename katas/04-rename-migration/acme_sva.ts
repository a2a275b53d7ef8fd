/**
 * Kata 04: "acme_sva", an out-of-tree accelerator driver that shares a process's page
 * tables through the IOMMU (PASID). It was written for Linux 6.4 and no longer works
 * after the mmu_notifier rename: migrate it.
 *
 * Read README.md first; run the visible tests with
 * `npx tlbkata check 04-rename-migration`.
 */
import { container_of, type mm_struct, type mmu_notifier, type mmu_notifier_range, type legacy_mmu_notifier_ops, type acme_ctx } from "tlbkata";

/** Queue an IOTLB invalidation of [start, end) for the context's PASID. */
function acme_queue_inv(ctx: acme_ctx, start: number, end: number): void {
  ctx.iommu.inv_range(ctx.pasid, start, end);
  ctx.pending = ctx.pending + 1;
}

/** Wait for every queued invalidation. ctx->lock keeps two waiters from interleaving. */
function acme_wait(ctx: acme_ctx): void {
  ctx.lock.mutex_lock();
  if (ctx.pending) {
    ctx.iommu.sync();
    ctx.pending = 0;
  }
  ctx.lock.mutex_unlock();
}

/* "Belt and braces": flush before the PTEs change, too. */
function acme_invalidate_range_start(mn: mmu_notifier, range: mmu_notifier_range): number {
  const ctx = container_of<acme_ctx>(mn);
  acme_queue_inv(ctx, range.start, range.end);
  acme_wait(ctx);
  return 0;
}

/* Queue the shootdown; invalidate_range_end waits for the whole batch at once. */
function acme_invalidate_range(mn: mmu_notifier, mm: mm_struct, start: number, end: number): void {
  acme_queue_inv(container_of<acme_ctx>(mn), start, end);
}

function acme_invalidate_range_end(mn: mmu_notifier, range: mmu_notifier_range): void {
  acme_wait(container_of<acme_ctx>(mn));
}

/* The process is exiting: stop the accelerator using its address space. */
function acme_release(mn: mmu_notifier, mm: mm_struct): void {
  const ctx = container_of<acme_ctx>(mn);
  if (ctx.invalid) return;
  ctx.iommu.unbind(ctx.pasid);
  ctx.iommu.inv_pasid(ctx.pasid);
  ctx.iommu.sync();
  ctx.invalid = true;
}

// TODO: migrate to the post-rename struct mmu_notifier_ops (README.md). Changing the
// type below to `mmu_notifier_ops` makes the compiler point at what no longer exists.
export const acme_mn_ops: legacy_mmu_notifier_ops = {
  name: "acme_sva",
  invalidate_range_start: acme_invalidate_range_start,
  invalidate_range: acme_invalidate_range,
  invalidate_range_end: acme_invalidate_range_end,
  release: acme_release,
};
