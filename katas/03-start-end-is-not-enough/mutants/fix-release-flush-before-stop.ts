// Wrong: release flushes the PASID and only then stops the device translating: between the two the device walks the dying mm again and refills (the order is cut off, then flush, as AMD's unbind and Intel's PASID teardown do).
import { container_of, accel_flush_all, accel_stop, type accel_context, type mmu_notifier_ops } from "tlbkata";
import { accel_mn_ops as fixed } from "../../../solutions/03-start-end-is-not-enough/accel";
export { diagnosis } from "../../../solutions/03-start-end-is-not-enough/accel";

export const accel_mn_ops: mmu_notifier_ops = {
  ...fixed,
  release(mn) {
    const ctx = container_of<accel_context>(mn);
    if (ctx.dead) return;
    ctx.dead = true;
    accel_flush_all(ctx);
    accel_stop(ctx);
  },
};
