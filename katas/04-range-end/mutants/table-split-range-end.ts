// Wrong: __split_huge_pmd ends with range_end: flushes 2 MiB of translations that are still right.
import { type RangeEndSite, type RangeEndCall } from "tlbkata";
import { range_end_calls as ref } from "../../../solutions/04-range-end/mmu_notifier";
export { mn_hlist_invalidate_end } from "../../../solutions/04-range-end/mmu_notifier";

export const range_end_calls: Record<RangeEndSite, RangeEndCall> = { ...ref, __split_huge_pmd: "mmu_notifier_invalidate_range_end" };
