// Wrong: refill_step names the invalidate_range_start step instead of the device's walk after it.
import type { AccelDiagnosis } from "tlbkata";
import { diagnosis as ref } from "../../../solutions/03-start-end-is-not-enough/accel";
export { accel_mn_ops } from "../../../solutions/03-start-end-is-not-enough/accel";

export const diagnosis: AccelDiagnosis = { ...ref, refill_step: ref.refill_step! - 1 };
