// Wrong: passes end - PAGE_SIZE (the last page, an inclusive end) where accel_flush takes the exclusive end: the last page of each range stays cached.
import { container_of, accel_flush, PAGE_SIZE, type accel_context, type mmu_notifier_ops } from "tlbkata";
import { accel_mn_ops as fixed } from "../../../solutions/03-start-end-is-not-enough/accel";
export { diagnosis } from "../../../solutions/03-start-end-is-not-enough/accel";

export const accel_mn_ops: mmu_notifier_ops = {
  ...fixed,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    accel_flush(container_of<accel_context>(mn), start, end - PAGE_SIZE);
  },
};
