// Wrong: keeps the range in 32-bit ints (x | 0, an int where unsigned long was needed): above 2 GiB it turns negative, above 4 GiB it wraps to a low address.
import { srcu_read_lock, srcu_read_unlock, type MmuNotifierCore, type mmu_notifier_range } from "tlbkata";
export { range_end_calls } from "../../../solutions/04-range-end/mmu_notifier";

export function mn_hlist_invalidate_end(core: MmuNotifierCore, range: mmu_notifier_range, only_end: boolean): void {
  const id = srcu_read_lock(core.sim);
  for (const subscription of core.subscriptions(range.mm)) {
    if (!only_end && subscription.ops.invalidate_secondary_tlbs) {
      subscription.ops.invalidate_secondary_tlbs(subscription, range.mm, range.start | 0, range.end | 0);
    }
    if (subscription.ops.invalidate_range_end) subscription.ops.invalidate_range_end(subscription, range);
  }
  srcu_read_unlock(core.sim, id);
}
