// Wrong: skips invalidate_range_end on a non-blockable range (the oom reaper), as if range_end could fail like range_start: KVM's invalidation count stays raised (the harm of "mm/mmu_notifiers: ensure range_end() is paired with range_start()", <20210311180057.1582638-1-seanjc@google.com>, fixing 93065ac753e4).
import { srcu_read_lock, srcu_read_unlock, mmu_notifier_range_blockable, type MmuNotifierCore, type mmu_notifier_range } from "tlbkata";
export { range_end_calls } from "../../../solutions/04-range-end/mmu_notifier";

export function mn_hlist_invalidate_end(core: MmuNotifierCore, range: mmu_notifier_range, only_end: boolean): void {
  const id = srcu_read_lock(core.sim);
  for (const subscription of core.subscriptions(range.mm)) {
    if (!only_end && subscription.ops.invalidate_secondary_tlbs) {
      subscription.ops.invalidate_secondary_tlbs(subscription, range.mm, range.start, range.end);
    }
    if (!mmu_notifier_range_blockable(range)) continue;
    if (subscription.ops.invalidate_range_end) subscription.ops.invalidate_range_end(subscription, range);
  }
  srcu_read_unlock(core.sim, id);
}
