// Wrong: invalidate_secondary_tlbs queues the invalidation but does not wait for the IOMMU to run it.
import { container_of, type accel_context, type mmu_notifier_ops } from "tlbkata";
import { accel_mn_ops as fixed } from "../../../solutions/03-start-end-is-not-enough/accel";
export { diagnosis } from "../../../solutions/03-start-end-is-not-enough/accel";

export const accel_mn_ops: mmu_notifier_ops = {
  name: "accel",
  release: fixed.release,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const ctx = container_of<accel_context>(mn);
    ctx.iommu.inv_range(ctx.pasid, start, end);
  },
};
