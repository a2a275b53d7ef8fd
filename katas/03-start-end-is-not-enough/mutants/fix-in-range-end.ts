// Wrong: moves the flush to invalidate_range_end: too late, munmap frees full batches before end.
import { container_of, accel_flush, type accel_context, type mmu_notifier_ops } from "tlbkata";
import { accel_mn_ops as fixed } from "../../../solutions/03-start-end-is-not-enough/accel";
export { diagnosis } from "../../../solutions/03-start-end-is-not-enough/accel";

export const accel_mn_ops: mmu_notifier_ops = {
  name: "accel",
  release: fixed.release,
  invalidate_range_end(mn, range) {
    accel_flush(container_of<accel_context>(mn), range.start, range.end);
  },
};
