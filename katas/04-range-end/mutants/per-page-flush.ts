// Wrong: calls invalidate_secondary_tlbs once per page of the range: a 4 GiB mprotect makes a million driver calls (the per-page storm behind the SMMU soft lockup d5afb4b47e13, CVE-2023-52484, here in the core).
import { srcu_read_lock, srcu_read_unlock, PAGE_SIZE, type MmuNotifierCore, type mmu_notifier_range } from "tlbkata";
export { range_end_calls } from "../../../solutions/04-range-end/mmu_notifier";

export function mn_hlist_invalidate_end(core: MmuNotifierCore, range: mmu_notifier_range, only_end: boolean): void {
  const id = srcu_read_lock(core.sim);
  for (const subscription of core.subscriptions(range.mm)) {
    if (!only_end && subscription.ops.invalidate_secondary_tlbs) {
      for (let a = range.start; a < range.end; a += PAGE_SIZE) subscription.ops.invalidate_secondary_tlbs(subscription, range.mm, a, a + PAGE_SIZE);
    }
    if (subscription.ops.invalidate_range_end) subscription.ops.invalidate_range_end(subscription, range);
  }
  srcu_read_unlock(core.sim, id);
}
