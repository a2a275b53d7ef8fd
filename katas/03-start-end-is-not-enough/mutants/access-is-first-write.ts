// Wrong: access names the device's first write of the page (the one that walked and cached it), not the write through the stale entry after the free.
import type { AccelDiagnosis } from "tlbkata";
import { diagnosis as ref } from "../../../solutions/03-start-end-is-not-enough/accel";
export { accel_mn_ops } from "../../../solutions/03-start-end-is-not-enough/accel";

export const diagnosis: AccelDiagnosis = { ...ref, access: { step: ref.refill_step!, op: "write" } };
