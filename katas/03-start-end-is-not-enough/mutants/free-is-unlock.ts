// Wrong: free_step names pte_unmap_unlock, the step just before the pages go back to the allocator.
import type { AccelDiagnosis } from "tlbkata";
import { diagnosis as ref } from "../../../solutions/03-start-end-is-not-enough/accel";
export { accel_mn_ops } from "../../../solutions/03-start-end-is-not-enough/accel";

export const diagnosis: AccelDiagnosis = { ...ref, free_step: ref.free_step! - 1 };
