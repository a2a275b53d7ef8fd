// Wrong: flushes the secondary TLBs inside the SRCU read section, then walks the list a second time for invalidate_range_end after srcu_read_unlock, where a subscription may already be freed.
import { srcu_read_lock, srcu_read_unlock, type MmuNotifierCore, type mmu_notifier_range } from "tlbkata";
export { range_end_calls } from "../../../solutions/04-range-end/mmu_notifier";

export function mn_hlist_invalidate_end(core: MmuNotifierCore, range: mmu_notifier_range, only_end: boolean): void {
  const id = srcu_read_lock(core.sim);
  for (const subscription of core.subscriptions(range.mm)) {
    if (!only_end && subscription.ops.invalidate_secondary_tlbs) {
      subscription.ops.invalidate_secondary_tlbs(subscription, range.mm, range.start, range.end);
    }
  }
  srcu_read_unlock(core.sim, id);
  for (const subscription of core.subscriptions(range.mm)) {
    if (subscription.ops.invalidate_range_end) subscription.ops.invalidate_range_end(subscription, range);
  }
}
