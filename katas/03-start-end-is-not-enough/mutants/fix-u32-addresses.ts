// Wrong: invalidate_secondary_tlbs keeps the addresses in 32 bits (a u32 in C, `>>> 0` here): above 4 GiB it flushes a low address instead of the range.
import { container_of, accel_flush, type accel_context, type mmu_notifier_ops } from "tlbkata";
import { accel_mn_ops as fixed } from "../../../solutions/03-start-end-is-not-enough/accel";
export { diagnosis } from "../../../solutions/03-start-end-is-not-enough/accel";

export const accel_mn_ops: mmu_notifier_ops = {
  ...fixed,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    accel_flush(container_of<accel_context>(mn), start >>> 0, end >>> 0);
  },
};
