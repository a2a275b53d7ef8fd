// Wrong: drops what srcu_read_lock returned and gives srcu_read_unlock 0, right only until the first grace period.
import { srcu_read_lock, srcu_read_unlock, type MmuNotifierCore, type mm_struct } from "tlbkata";
import { mm_has_notifiers } from "../../../solutions/02-notifier-core/mmu_notifier";
export { mm_has_notifiers };

export function __mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  srcu_read_lock(core.sim);
  for (const sub of core.subscriptions(mm)) sub.ops.invalidate_secondary_tlbs?.(sub, mm, start, end);
  srcu_read_unlock(core.sim, 0);
}

export function mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  if (mm_has_notifiers(mm)) __mmu_notifier_invalidate_secondary_tlbs(core, mm, start, end);
}
