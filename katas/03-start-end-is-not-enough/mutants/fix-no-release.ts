// Wrong: the fixed driver drops release: at exit the device keeps translating for a dying mm.
import { type mmu_notifier_ops } from "tlbkata";
import { accel_mn_ops as fixed } from "../../../solutions/03-start-end-is-not-enough/accel";
export { diagnosis } from "../../../solutions/03-start-end-is-not-enough/accel";

export const accel_mn_ops: mmu_notifier_ops = { name: "accel", invalidate_secondary_tlbs: fixed.invalidate_secondary_tlbs };
