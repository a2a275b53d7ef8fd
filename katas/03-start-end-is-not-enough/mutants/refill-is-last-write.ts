// Wrong: refill_step names the device's last write, the one that lands in the freed page, not the walk that cached the translation before munmap cleared the PTE.
import type { AccelDiagnosis } from "tlbkata";
import { diagnosis as ref } from "../../../solutions/03-start-end-is-not-enough/accel";
export { accel_mn_ops } from "../../../solutions/03-start-end-is-not-enough/accel";

export const diagnosis: AccelDiagnosis = { ...ref, refill_step: ref.access!.step };
