/**
 * Kata 04: the end of an invalidation (mm/mmu_notifier.c), and which call sites may
 * end with mmu_notifier_invalidate_range_only_end().
 *
 * Fill in mn_hlist_invalidate_end and decide each entry of range_end_calls. Read
 * README.md first; run the visible tests with `npx tlbkata check 04-range-end`.
 */
import { srcu_read_lock, srcu_read_unlock, type MmuNotifierCore, type mmu_notifier_range, type RangeEndSite, type RangeEndCall } from "tlbkata";

/**
 * mn_hlist_invalidate_end(): called by mmu_notifier_invalidate_range_end() (only_end
 * false) and mmu_notifier_invalidate_range_only_end() (only_end true) when the mm has
 * notifiers. For every subscription of range.mm: its secondary-TLB flush, unless
 * only_end, then its invalidate_range_end.
 */
export function mn_hlist_invalidate_end(core: MmuNotifierCore, range: mmu_notifier_range, only_end: boolean): void {
  // TODO: inside srcu_read_lock(core.sim) / srcu_read_unlock(core.sim, id), walk
  //       core.subscriptions(range.mm).
  throw new Error("mn_hlist_invalidate_end: not implemented yet");
}

/**
 * How each call site ends its invalidation. The safe choice everywhere is
 * mmu_notifier_invalidate_range_end; only_end skips the secondary-TLB flush.
 * TODO: replace each null with your decision (README.md, "Which call sites may use only_end").
 */
export const range_end_calls: Record<RangeEndSite, RangeEndCall | null> = {
  // do_wp_page() -> wp_page_copy(): break COW. Under the ptl: ptep_clear_flush_notify()
  // on the old page, then set_pte_at_notify() pointing at the copy.
  wp_page_copy: null,
  // __split_huge_pmd(): a PMD mapping a 2 MiB THP becomes a table of 512 PTEs mapping
  // the same pages, under the PMD lock; the CPU TLB is flushed.
  __split_huge_pmd: null,
  // mprotect(PROT_READ) -> change_protection(): write-protects the PTEs under the ptl;
  // the mmu_gather flushes the CPU TLB later, after range_end.
  change_protection: null,
  // writeback -> page_vma_mkclean_one(): write-protects and cleans a dirty PTE under
  // the ptl and flushes the CPU TLB for it.
  page_vma_mkclean_one: null,
};
