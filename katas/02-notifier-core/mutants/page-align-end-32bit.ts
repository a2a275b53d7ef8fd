// Wrong: rounds end up to a page with 32-bit bit operations ((end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)): wrong above 2 GiB, and (0, ULONG_MAX) becomes the empty (0, 0), the PAGE_ALIGN(ULONG_MAX) wrap.
import { srcu_read_lock, srcu_read_unlock, PAGE_SIZE, type MmuNotifierCore, type mm_struct } from "tlbkata";
import { mm_has_notifiers } from "../../../solutions/02-notifier-core/mmu_notifier";
export { mm_has_notifiers };

export function __mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  const id = srcu_read_lock(core.sim);
  const aligned = (end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
  for (const subscription of core.subscriptions(mm)) subscription.ops.invalidate_secondary_tlbs?.(subscription, mm, start, aligned);
  srcu_read_unlock(core.sim, id);
}

export function mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  if (mm_has_notifiers(mm)) __mmu_notifier_invalidate_secondary_tlbs(core, mm, start, end);
}
