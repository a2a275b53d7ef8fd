// Wrong: the diagnosis counts steps from 0, not as the trace numbers them (from 1).
import type { AccelDiagnosis } from "tlbkata";
import { diagnosis as ref } from "../../../solutions/03-start-end-is-not-enough/accel";
export { accel_mn_ops } from "../../../solutions/03-start-end-is-not-enough/accel";

export const diagnosis: AccelDiagnosis = {
  page: ref.page,
  refill_step: ref.refill_step! - 1,
  free_step: ref.free_step! - 1,
  access: { step: ref.access!.step - 1, op: ref.access!.op },
};
