// Wrong: only_end returns at once, so start/end users never get their invalidate_range_end.
import { srcu_read_lock, srcu_read_unlock, PAGE_SIZE, type MmuNotifierCore, type mmu_notifier_range } from "tlbkata";
export { range_end_calls } from "../../../solutions/04-range-end/mmu_notifier";

export function mn_hlist_invalidate_end(core: MmuNotifierCore, range: mmu_notifier_range, only_end: boolean): void {
  if (only_end) return;
  const id = srcu_read_lock(core.sim);
  for (const sub of core.subscriptions(range.mm)) {
    sub.ops.invalidate_secondary_tlbs?.(sub, range.mm, range.start, range.end);
    sub.ops.invalidate_range_end?.(sub, range);
  }
  srcu_read_unlock(core.sim, id);
}
