// Wrong: release queues the whole-PASID invalidation but does not wait for it (the sync is missing on this one path): exit frees the pages while it is still queued.
import { container_of, accel_stop, type accel_context, type mmu_notifier_ops } from "tlbkata";
import { accel_mn_ops as fixed } from "../../../solutions/03-start-end-is-not-enough/accel";
export { diagnosis } from "../../../solutions/03-start-end-is-not-enough/accel";

export const accel_mn_ops: mmu_notifier_ops = {
  ...fixed,
  release(mn) {
    const ctx = container_of<accel_context>(mn);
    if (ctx.dead) return;
    ctx.dead = true;
    accel_stop(ctx);
    ctx.iommu.inv_pasid(ctx.pasid);
  },
};
