// Wrong: reads the list head (and takes its snapshot) before srcu_read_lock, so the walk starts from a subscription nothing protects (the read section that has kept subscriptions alive since "mm: mmu_notifier: have mmu_notifiers use a global SRCU so they may safely schedule", Sagi Grimberg, linux-mm, 23 Aug 2012, must be entered before the list head is read).
import { srcu_read_lock, srcu_read_unlock, type MmuNotifierCore, type mm_struct } from "tlbkata";
import { mm_has_notifiers } from "../../../solutions/02-notifier-core/mmu_notifier";
export { mm_has_notifiers };

export function __mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  const subscriptions = [...core.subscriptions(mm)];
  const id = srcu_read_lock(core.sim);
  for (const subscription of subscriptions) subscription.ops.invalidate_secondary_tlbs?.(subscription, mm, start, end);
  srcu_read_unlock(core.sim, id);
}

export function mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  if (mm_has_notifiers(mm)) __mmu_notifier_invalidate_secondary_tlbs(core, mm, start, end);
}
