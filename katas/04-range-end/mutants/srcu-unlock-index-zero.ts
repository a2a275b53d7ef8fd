// Wrong: drops the index srcu_read_lock returned and gives srcu_read_unlock 0: right until the first grace period flips SRCU to index 1, then a later synchronize_srcu returns while this reader still runs, or waits forever.
import { srcu_read_lock, srcu_read_unlock, type MmuNotifierCore, type mmu_notifier_range } from "tlbkata";
export { range_end_calls } from "../../../solutions/04-range-end/mmu_notifier";

export function mn_hlist_invalidate_end(core: MmuNotifierCore, range: mmu_notifier_range, only_end: boolean): void {
  srcu_read_lock(core.sim);
  for (const subscription of core.subscriptions(range.mm)) {
    if (!only_end && subscription.ops.invalidate_secondary_tlbs) {
      subscription.ops.invalidate_secondary_tlbs(subscription, range.mm, range.start, range.end);
    }
    if (subscription.ops.invalidate_range_end) subscription.ops.invalidate_range_end(subscription, range);
  }
  srcu_read_unlock(core.sim, 0);
}
