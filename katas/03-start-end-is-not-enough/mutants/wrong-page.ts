// Wrong: the diagnosis names page D, which the device also read but which was flushed in time.
import type { AccelDiagnosis } from "tlbkata";
import { diagnosis as ref } from "../../../solutions/03-start-end-is-not-enough/accel";
export { accel_mn_ops } from "../../../solutions/03-start-end-is-not-enough/accel";

export const diagnosis: AccelDiagnosis = { ...ref, page: "D" };
