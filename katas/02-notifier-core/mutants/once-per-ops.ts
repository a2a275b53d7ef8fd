// Wrong: calls each ops table once, as mmu_notifier_get shares one notifier per (ops, mm): two devices of one driver that each registered their own notifier on the mm get one call between them.
import { srcu_read_lock, srcu_read_unlock, type MmuNotifierCore, type mm_struct } from "tlbkata";
import { mm_has_notifiers } from "../../../solutions/02-notifier-core/mmu_notifier";
export { mm_has_notifiers };

export function __mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  const id = srcu_read_lock(core.sim);
  const called = new Set<unknown>();
  for (const subscription of core.subscriptions(mm)) {
    if (!subscription.ops.invalidate_secondary_tlbs || called.has(subscription.ops)) continue;
    called.add(subscription.ops);
    subscription.ops.invalidate_secondary_tlbs(subscription, mm, start, end);
  }
  srcu_read_unlock(core.sim, id);
}

export function mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  if (mm_has_notifiers(mm)) __mmu_notifier_invalidate_secondary_tlbs(core, mm, start, end);
}
