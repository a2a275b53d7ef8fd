// Wrong: narrows the SRCU read section to each call: the step from one subscription to the next (hlist_for_each_entry_rcu) happens outside it, where the next entry may already be freed.
import { srcu_read_lock, srcu_read_unlock, type MmuNotifierCore, type mm_struct } from "tlbkata";
import { mm_has_notifiers } from "../../../solutions/02-notifier-core/mmu_notifier";
export { mm_has_notifiers };

export function __mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  for (const subscription of core.subscriptions(mm)) {
    const id = srcu_read_lock(core.sim);
    subscription.ops.invalidate_secondary_tlbs?.(subscription, mm, start, end);
    srcu_read_unlock(core.sim, id);
  }
}

export function mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  if (mm_has_notifiers(mm)) __mmu_notifier_invalidate_secondary_tlbs(core, mm, start, end);
}
