/**
 * Kata 04 (range end), reference solution: the secondary flush unless only_end, then
 * range_end, for every subscription inside one SRCU read section; only_end where the
 * call site already notified under the ptl or changed no translation.
 */
import { srcu_read_lock, srcu_read_unlock, type MmuNotifierCore, type mmu_notifier_range, type RangeEndSite, type RangeEndCall } from "tlbkata";

export function mn_hlist_invalidate_end(core: MmuNotifierCore, range: mmu_notifier_range, only_end: boolean): void {
  const id = srcu_read_lock(core.sim);
  for (const subscription of core.subscriptions(range.mm)) {
    if (!only_end && subscription.ops.invalidate_secondary_tlbs) {
      subscription.ops.invalidate_secondary_tlbs(subscription, range.mm, range.start, range.end);
    }
    if (subscription.ops.invalidate_range_end) subscription.ops.invalidate_range_end(subscription, range);
  }
  srcu_read_unlock(core.sim, id);
}

export const range_end_calls: Record<RangeEndSite, RangeEndCall> = {
  // ptep_clear_flush_notify() already told every secondary TLB, under the ptl.
  wp_page_copy: "mmu_notifier_invalidate_range_only_end",
  // Same pages, same translations: nothing cached became wrong; later changes to
  // single PTEs notify for themselves.
  __split_huge_pmd: "mmu_notifier_invalidate_range_only_end",
  // Protection downgrades with no notification under the ptl: range_end is where the
  // secondary TLBs lose write permission.
  change_protection: "mmu_notifier_invalidate_range_end",
  page_vma_mkclean_one: "mmu_notifier_invalidate_range_end",
};
