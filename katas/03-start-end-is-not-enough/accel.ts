/**
 * Kata 03-start-end-is-not-enough: the "accel" driver, as shipped. Read README.md
 * first; check with `npx tlbkata check 03-start-end-is-not-enough`.
 *
 * 1. Hunt: find the interleaving in which the accelerator corrupts memory (README.md,
 *    "The hunt"), and fill in `diagnosis` below from its trace.
 * 2. Fix: make the driver keep its device TLB coherent.
 */
import {
  container_of,
  accel_flush,
  accel_flush_all,
  accel_stop,
  type accel_context,
  type AccelDiagnosis,
  type mmu_notifier_ops,
} from "tlbkata";

/**
 * The driver keeps its device TLB in step with the process's page tables the way KVM
 * keeps its shadow page tables: flush at invalidate_range_start, and count the
 * invalidations in progress until invalidate_range_end.
 */
export const accel_mn_ops: mmu_notifier_ops = {
  name: "accel",
  invalidate_range_start(mn, range) {
    const ctx = container_of<accel_context>(mn);
    ctx.invalidating = ctx.invalidating + 1;
    accel_flush(ctx, range.start, range.end);
    return 0;
  },
  invalidate_range_end(mn) {
    const ctx = container_of<accel_context>(mn);
    ctx.invalidating = ctx.invalidating - 1;
  },
  release(mn) {
    const ctx = container_of<accel_context>(mn);
    if (ctx.dead) return;
    ctx.dead = true;
    accel_stop(ctx);
    accel_flush_all(ctx);
  },
};

/** What happened in the shortest corrupting interleaving (TODO: fill in from the trace). */
export const diagnosis: AccelDiagnosis = {
  page: null,
  refill_step: null,
  free_step: null,
  access: null,
};
