// Wrong: refill_step names the device's first walk of the trace (page D, flushed by range_start), not the stale one.
import type { AccelDiagnosis } from "tlbkata";
import { diagnosis as ref } from "../../../solutions/03-start-end-is-not-enough/accel";
export { accel_mn_ops } from "../../../solutions/03-start-end-is-not-enough/accel";

export const diagnosis: AccelDiagnosis = { ...ref, refill_step: 1 };
