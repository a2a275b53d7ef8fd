/**
 * Kata 02: how a secondary-TLB invalidation reaches every mmu_notifier subscription
 * of an mm (include/linux/mmu_notifier.h and mm/mmu_notifier.c).
 *
 * Fill in the three functions marked TODO. Read README.md first; run the visible
 * tests with `npx tlbkata check 02-notifier-core`.
 */
import { srcu_read_lock, srcu_read_unlock, type MmuNotifierCore, type mm_struct } from "tlbkata";

/** mm_has_notifiers(): does any mmu_notifier subscription hang off this mm? */
export function mm_has_notifiers(mm: mm_struct): boolean {
  // TODO: mm.notifier_subscriptions stays null until the first registration.
  throw new Error("mm_has_notifiers: not implemented yet");
}

/**
 * __mmu_notifier_invalidate_secondary_tlbs(): the slow path. Call
 * ops.invalidate_secondary_tlbs(subscription, mm, start, end) on every subscription
 * of `mm` that has it, inside an SRCU read section.
 */
export function __mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  // TODO: const id = srcu_read_lock(core.sim); walk core.subscriptions(mm); srcu_read_unlock(core.sim, id).
  throw new Error("__mmu_notifier_invalidate_secondary_tlbs: not implemented yet");
}

/** mmu_notifier_invalidate_secondary_tlbs(): the inline wrapper every call site uses. */
export function mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  // TODO: the fast path, then the slow path.
  throw new Error("mmu_notifier_invalidate_secondary_tlbs: not implemented yet");
}
