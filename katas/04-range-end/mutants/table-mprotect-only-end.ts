// Wrong: change_protection ends with only_end: nobody flushes the write-protected range from secondary TLBs.
import { type RangeEndSite, type RangeEndCall } from "tlbkata";
import { range_end_calls as ref } from "../../../solutions/04-range-end/mmu_notifier";
export { mn_hlist_invalidate_end } from "../../../solutions/04-range-end/mmu_notifier";

export const range_end_calls: Record<RangeEndSite, RangeEndCall> = { ...ref, change_protection: "mmu_notifier_invalidate_range_only_end" };
