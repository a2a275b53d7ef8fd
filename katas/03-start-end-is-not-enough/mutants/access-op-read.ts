// Wrong: access has the right step but calls it a read: the device wrote into the freed page (a read would only have leaked it).
import type { AccelDiagnosis } from "tlbkata";
import { diagnosis as ref } from "../../../solutions/03-start-end-is-not-enough/accel";
export { accel_mn_ops } from "../../../solutions/03-start-end-is-not-enough/accel";

export const diagnosis: AccelDiagnosis = { ...ref, access: { step: ref.access!.step, op: "read" } };
