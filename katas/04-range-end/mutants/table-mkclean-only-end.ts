// Wrong: page_vma_mkclean_one ends with only_end: the device keeps writing a page being written back.
import { type RangeEndSite, type RangeEndCall } from "tlbkata";
import { range_end_calls as ref } from "../../../solutions/04-range-end/mmu_notifier";
export { mn_hlist_invalidate_end } from "../../../solutions/04-range-end/mmu_notifier";

export const range_end_calls: Record<RangeEndSite, RangeEndCall> = { ...ref, page_vma_mkclean_one: "mmu_notifier_invalidate_range_only_end" };
