// Wrong: stops the walk after the first subscription that has the op.
import { srcu_read_lock, srcu_read_unlock, type MmuNotifierCore, type mm_struct } from "tlbkata";
import { mm_has_notifiers } from "../../../solutions/02-notifier-core/mmu_notifier";
export { mm_has_notifiers };

export function __mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  const id = srcu_read_lock(core.sim);
  for (const sub of core.subscriptions(mm)) {
    if (sub.ops.invalidate_secondary_tlbs) {
      sub.ops.invalidate_secondary_tlbs(sub, mm, start, end);
      break;
    }
  }
  srcu_read_unlock(core.sim, id);
}

export function mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  if (mm_has_notifiers(mm)) __mmu_notifier_invalidate_secondary_tlbs(core, mm, start, end);
}
