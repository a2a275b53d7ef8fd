// Wrong: invalidate_secondary_tlbs flushes one page at start, as if each call were for one PTE: munmap's batch flush covers two.
import { container_of, accel_flush, PAGE_SIZE, type accel_context, type mmu_notifier_ops } from "tlbkata";
import { accel_mn_ops as fixed } from "../../../solutions/03-start-end-is-not-enough/accel";
export { diagnosis } from "../../../solutions/03-start-end-is-not-enough/accel";

export const accel_mn_ops: mmu_notifier_ops = {
  ...fixed,
  invalidate_secondary_tlbs(mn, _mm, start) {
    accel_flush(container_of<accel_context>(mn), start, start + PAGE_SIZE);
  },
};
