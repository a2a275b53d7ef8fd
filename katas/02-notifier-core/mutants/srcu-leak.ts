// Wrong: takes srcu_read_lock and never drops it.
import { srcu_read_lock, type MmuNotifierCore, type mm_struct } from "tlbkata";
import { mm_has_notifiers } from "../../../solutions/02-notifier-core/mmu_notifier";
export { mm_has_notifiers };

export function __mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  srcu_read_lock(core.sim);
  for (const sub of core.subscriptions(mm)) sub.ops.invalidate_secondary_tlbs?.(sub, mm, start, end);
}

export function mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  if (mm_has_notifiers(mm)) __mmu_notifier_invalidate_secondary_tlbs(core, mm, start, end);
}
