// Wrong: release flushes the PASID and only then stops the device translating: between the two the device walks the dying mm again and refills (AMD's release clears the PASID's GCR3 entry first, then flushes: v6.5:drivers/iommu/amd/iommu_v2.c:375-391).
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
