// Wrong: keeps KVM's logic and flushes in invalidate_secondary_tlbs only while an invalidation is counted in progress; with start/end gone the count stays 0 and nothing is flushed.
import { container_of, accel_flush, type accel_context, type mmu_notifier_ops } from "tlbkata";
import { accel_mn_ops as fixed } from "../../../solutions/03-start-end-is-not-enough/accel";
export { diagnosis } from "../../../solutions/03-start-end-is-not-enough/accel";

export const accel_mn_ops: mmu_notifier_ops = {
  ...fixed,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const ctx = container_of<accel_context>(mn);
    if (ctx.invalidating > 0) accel_flush(ctx, start, end);
  },
};
