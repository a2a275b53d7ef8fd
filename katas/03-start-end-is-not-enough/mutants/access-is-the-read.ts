// Wrong: the corrupting access is given as the read that refilled the TLB, not the later write.
import type { AccelDiagnosis } from "tlbkata";
import { diagnosis as ref } from "../../../solutions/03-start-end-is-not-enough/accel";
export { accel_mn_ops } from "../../../solutions/03-start-end-is-not-enough/accel";

export const diagnosis: AccelDiagnosis = { ...ref, access: { step: ref.refill_step!, op: "read" } };
