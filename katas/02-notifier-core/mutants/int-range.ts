// Wrong: keeps start and end in 32-bit ints (x | 0, an int where unsigned long was needed): above 2 GiB the range turns negative, above 4 GiB it wraps to a low address.
import { srcu_read_lock, srcu_read_unlock, type MmuNotifierCore, type mm_struct } from "tlbkata";
import { mm_has_notifiers } from "../../../solutions/02-notifier-core/mmu_notifier";
export { mm_has_notifiers };

export function __mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  const id = srcu_read_lock(core.sim);
  const s = start | 0;
  const e = end | 0;
  for (const subscription of core.subscriptions(mm)) subscription.ops.invalidate_secondary_tlbs?.(subscription, mm, s, e);
  srcu_read_unlock(core.sim, id);
}

export function mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  if (mm_has_notifiers(mm)) __mmu_notifier_invalidate_secondary_tlbs(core, mm, start, end);
}
