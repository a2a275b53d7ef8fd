// Wrong: the inline wrapper opens the SRCU read section before it tests mm_has_notifiers, so every mm pays for srcu_read_lock in the hottest paths.
import { srcu_read_lock, srcu_read_unlock, type MmuNotifierCore, type mm_struct } from "tlbkata";
import { mm_has_notifiers } from "../../../solutions/02-notifier-core/mmu_notifier";
export { mm_has_notifiers };

export function __mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  for (const subscription of core.subscriptions(mm)) subscription.ops.invalidate_secondary_tlbs?.(subscription, mm, start, end);
}

export function mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  const id = srcu_read_lock(core.sim);
  if (mm_has_notifiers(mm)) __mmu_notifier_invalidate_secondary_tlbs(core, mm, start, end);
  srcu_read_unlock(core.sim, id);
}
