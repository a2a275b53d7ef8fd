/**
 * Kata 04 (range end), a correct solution written differently: the ops looked up into
 * locals, the SRCU section closed in a finally block, and the table built from the
 * list of sites that end with only_end (wp_page_copy notified under the ptl;
 * __split_huge_pmd's translations stay valid, or its file/DAX case notified).
 */
import { srcu_read_lock, srcu_read_unlock, RANGE_END_SITES, type MmuNotifierCore, type mmu_notifier_range, type RangeEndSite, type RangeEndCall } from "tlbkata";

export function mn_hlist_invalidate_end(core: MmuNotifierCore, range: mmu_notifier_range, only_end: boolean): void {
  const { mm, start, end } = range;
  const idx = srcu_read_lock(core.sim);
  try {
    for (const sub of core.subscriptions(mm)) {
      const flush = only_end ? undefined : sub.ops.invalidate_secondary_tlbs;
      const finish = sub.ops.invalidate_range_end;
      flush?.call(sub.ops, sub, mm, start, end);
      finish?.call(sub.ops, sub, range);
    }
  } finally {
    srcu_read_unlock(core.sim, idx);
  }
}

const needNoSecondFlush: readonly RangeEndSite[] = ["wp_page_copy", "__split_huge_pmd"];

export const range_end_calls = Object.fromEntries(
  RANGE_END_SITES.map((s) => [s, needNoSecondFlush.includes(s) ? "mmu_notifier_invalidate_range_only_end" : "mmu_notifier_invalidate_range_end"]),
) as Record<RangeEndSite, RangeEndCall>;
