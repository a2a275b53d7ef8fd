// Wrong: wp_page_copy ends with range_end: a second flush after ptep_clear_flush_notify.
import { type RangeEndSite, type RangeEndCall } from "tlbkata";
import { range_end_calls as ref } from "../../../solutions/04-range-end/mmu_notifier";
export { mn_hlist_invalidate_end } from "../../../solutions/04-range-end/mmu_notifier";

export const range_end_calls: Record<RangeEndSite, RangeEndCall> = { ...ref, wp_page_copy: "mmu_notifier_invalidate_range_end" };
