// Wrong: free_step names the tlb_flush_mmu_tlbonly step (the flush the driver ignored), not the free.
import type { AccelDiagnosis } from "tlbkata";
import { diagnosis as ref } from "../../../solutions/03-start-end-is-not-enough/accel";
export { accel_mn_ops } from "../../../solutions/03-start-end-is-not-enough/accel";

export const diagnosis: AccelDiagnosis = { ...ref, free_step: ref.free_step! - 2 };
