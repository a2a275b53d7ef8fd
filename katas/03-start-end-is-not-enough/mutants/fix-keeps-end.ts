// Wrong: moves the flush to invalidate_secondary_tlbs but keeps invalidate_range_end to drop the KVM-style counter: an ops table with both is refused with -EINVAL.
import { type mmu_notifier_ops } from "tlbkata";
import { accel_mn_ops as fixed } from "../../../solutions/03-start-end-is-not-enough/accel";
import { accel_mn_ops as shipped } from "../accel";
export { diagnosis } from "../../../solutions/03-start-end-is-not-enough/accel";

export const accel_mn_ops: mmu_notifier_ops = { ...fixed, invalidate_range_end: shipped.invalidate_range_end };
