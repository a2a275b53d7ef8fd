// Wrong: wp_page_copy's answer is misspelt ("mmu_notifier_invalidate_range_onlyend"), which only the type checker would notice; the grader must not take it for the kernel's own choice.
import { type RangeEndSite, type RangeEndCall } from "tlbkata";
import { range_end_calls as ref } from "../../../solutions/04-range-end/mmu_notifier";
export { mn_hlist_invalidate_end } from "../../../solutions/04-range-end/mmu_notifier";

export const range_end_calls = { ...ref, wp_page_copy: "mmu_notifier_invalidate_range_onlyend" } as unknown as Record<RangeEndSite, RangeEndCall>;
