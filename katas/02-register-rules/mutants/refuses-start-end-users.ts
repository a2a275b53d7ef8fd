// Wrong: refuses every start/end user (KVM), not just those that also have invalidate_secondary_tlbs.
import { EINVAL, type MmuNotifierCore, type mm_struct, type mmu_notifier } from "tlbkata";
import { __mmu_notifier_register as ref } from "../../../solutions/02-register-rules/mmu_notifier";
export { mmu_notifier_get_locked, mmu_notifier_put } from "../../../solutions/02-register-rules/mmu_notifier";

export function __mmu_notifier_register(core: MmuNotifierCore, subscription: mmu_notifier, mm: mm_struct): number {
  const o = subscription.ops;
  if (core.warnings.WARN_ON_ONCE(!!(o.invalidate_range_start || o.invalidate_range_end), "__mmu_notifier_register", "start/end")) return -EINVAL;
  return ref(core, subscription, mm);
}
