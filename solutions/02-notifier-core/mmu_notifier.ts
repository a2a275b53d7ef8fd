/**
 * Kata 02, reference solution: the wrapper with its fast path, and the slow path that
 * walks the mm's subscriptions inside an SRCU read section.
 */
import { srcu_read_lock, srcu_read_unlock, type MmuNotifierCore, type mm_struct } from "tlbkata";

export function mm_has_notifiers(mm: mm_struct): boolean {
  return mm.notifier_subscriptions !== null;
}

export function __mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  const id = srcu_read_lock(core.sim);
  for (const subscription of core.subscriptions(mm)) {
    if (subscription.ops.invalidate_secondary_tlbs) subscription.ops.invalidate_secondary_tlbs(subscription, mm, start, end);
  }
  srcu_read_unlock(core.sim, id);
}

export function mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  if (mm_has_notifiers(mm)) __mmu_notifier_invalidate_secondary_tlbs(core, mm, start, end);
}
