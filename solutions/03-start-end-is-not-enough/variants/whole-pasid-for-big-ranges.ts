/**
 * Kata 03, a variant of the fix: one whole-PASID invalidation for ranges of more than
 * 16 pages instead of a range command (still without sleeping, still before the free).
 */
import { container_of, accel_flush, accel_flush_all, accel_stop, PAGE_SIZE, type accel_context, type mmu_notifier_ops } from "tlbkata";
export { diagnosis } from "../accel";

export const accel_mn_ops: mmu_notifier_ops = {
  name: "accel",
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const ctx = container_of<accel_context>(mn);
    if ((end - start) / PAGE_SIZE > 16) accel_flush_all(ctx);
    else accel_flush(ctx, start, end);
  },
  release(mn) {
    const ctx = container_of<accel_context>(mn);
    if (!ctx.dead) {
      ctx.dead = true;
      accel_stop(ctx);
      accel_flush_all(ctx);
    }
  },
};
