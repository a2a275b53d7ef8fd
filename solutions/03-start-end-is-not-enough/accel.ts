/**
 * Kata 03-start-end-is-not-enough, reference solution.
 *
 * The fix: flush the device TLB in invalidate_secondary_tlbs, which the kernel calls
 * right after clearing the PTEs and flushing the CPU TLB (under the ptl at most call
 * sites), before the pages are freed; drop start/end (keeping them would make registration fail).
 *
 * The diagnosis is read off the hunt's trace, as a learner does by eye; this reference
 * reads it programmatically so that it stays right if the explorer ever picks another
 * of the equally short interleavings. With the explorer of this commit the trace gives
 * { page: "B", refill_step: 4, free_step: 9, access: { step: 10, op: "write" } }.
 */
import {
  container_of,
  accel_flush,
  accel_flush_all,
  accel_stop,
  huntAccel,
  shippedAccelOps,
  hex,
  page,
  BASE,
  PAGE_SIZE,
  ACCEL_PAGES,
  type accel_context,
  type AccelDiagnosis,
  type mmu_notifier_ops,
} from "tlbkata";

export const accel_mn_ops: mmu_notifier_ops = {
  name: "accel",
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    accel_flush(container_of<accel_context>(mn), start, end);
  },
  release(mn) {
    const ctx = container_of<accel_context>(mn);
    if (ctx.dead) return;
    ctx.dead = true;
    accel_stop(ctx);
    accel_flush_all(ctx);
  },
};

function readTrace(): AccelDiagnosis {
  const cx = huntAccel(shippedAccelOps)!;
  const steps = cx.trace.steps;
  const last = steps[steps.length - 1]!;
  // The last step is the device access the oracle stopped at.
  const index = Math.floor((cx.violation.address! - BASE) / PAGE_SIZE);
  const freed = steps.find((s) => s.events.some((e) => e === `free page pfn ${cx.violation.pfn}`))!;
  // The device's last fill of that page before it was freed.
  const fill = new RegExp(`fill tag \\d+ ${hex(page(index))} `);
  const refill = steps.filter((s) => s.index < freed.index && s.events.some((e) => fill.test(e))).pop()!;
  return {
    page: ACCEL_PAGES[index]!,
    refill_step: refill.index,
    free_step: freed.index,
    access: { step: last.index, op: last.label.startsWith("dma write") ? "write" : "read" },
  };
}

export const diagnosis: AccelDiagnosis = readTrace();
