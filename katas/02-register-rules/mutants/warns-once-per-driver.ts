// Wrong: the WARN_ON_ONCE site names the driver, so it warns once per driver, not once per boot.
import { EINVAL, type MmuNotifierCore, type mm_struct, type mmu_notifier } from "tlbkata";
import { __mmu_notifier_register as ref } from "../../../solutions/02-register-rules/mmu_notifier";
export { mmu_notifier_get_locked, mmu_notifier_put } from "../../../solutions/02-register-rules/mmu_notifier";

export function __mmu_notifier_register(core: MmuNotifierCore, subscription: mmu_notifier, mm: mm_struct): number {
  const o = subscription.ops;
  const both = !!o.invalidate_secondary_tlbs && !!(o.invalidate_range_start || o.invalidate_range_end);
  if (core.warnings.WARN_ON_ONCE(both, `__mmu_notifier_register(${o.name})`, "both kinds of callbacks")) return -EINVAL;
  return ref(core, subscription, mm);
}
