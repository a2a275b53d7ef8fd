// Wrong: free_step names zap_pte_range, where the PTE is cleared: the translation goes, but the page is freed later.
import type { AccelDiagnosis } from "tlbkata";
import { diagnosis as ref } from "../../../solutions/03-start-end-is-not-enough/accel";
export { accel_mn_ops } from "../../../solutions/03-start-end-is-not-enough/accel";

export const diagnosis: AccelDiagnosis = { ...ref, free_step: ref.free_step! - 3 };
