// Wrong: computes the page count as (end - start + PAGE_SIZE - 1) >> PAGE_SHIFT in 64-bit unsigned arithmetic, 0 for x86's (0, ULONG_MAX) whole-mm flush, so nothing is flushed (Intel's v6.6 bug, fixed by e7ad6c2a4b1a "iommu/vt-d: Fix incorrect cache invalidation for mm notification").
import { container_of, accel_flush, PAGE_SIZE, type accel_context, type mmu_notifier_ops } from "tlbkata";
import { accel_mn_ops as fixed } from "../../../solutions/03-start-end-is-not-enough/accel";
export { diagnosis } from "../../../solutions/03-start-end-is-not-enough/accel";

export const accel_mn_ops: mmu_notifier_ops = {
  ...fixed,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const pages = Number(BigInt.asUintN(64, BigInt(end) - BigInt(start) + BigInt(PAGE_SIZE - 1)) >> 12n);
    accel_flush(container_of<accel_context>(mn), start, start + pages * PAGE_SIZE);
  },
};
