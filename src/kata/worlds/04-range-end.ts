/** Kata 04-range-end: the learner's mn_hlist_invalidate_end and choice of range_end or only_end at each call site. */
import type { KernelOptions } from "../../kernel/kernel";
import type { MmuNotifierCore, mmu_notifier_range } from "../../notifier/mmu_notifier";
import { pluggableCore, type RangeEndSite, type RangeEndCall } from "./shared/pluggable-core";

/** Kata 04-range-end: what the learner's file exports. */
export interface RangeEndModule {
  readonly mn_hlist_invalidate_end: (core: MmuNotifierCore, range: mmu_notifier_range, only_end: boolean) => void;
  /** null: not decided yet (the starter's). */
  readonly range_end_calls: Readonly<Record<RangeEndSite, RangeEndCall | null>>;
}

/** Kata 04-range-end: the learner's mn_hlist_invalidate_end (the call sites as the kernel paths make them). */
export const rangeEndKernel = (m: Pick<RangeEndModule, "mn_hlist_invalidate_end">): KernelOptions => ({
  core: pluggableCore({ mn_hlist_invalidate_end: m.mn_hlist_invalidate_end }),
});

/** Kata 04-range-end: the learner's choice of range_end or only_end at each call site (the core's own mn_hlist_invalidate_end). */
export const rangeEndCallsKernel = (m: Pick<RangeEndModule, "range_end_calls">): KernelOptions => ({
  core: pluggableCore({}, { rangeEndCalls: m.range_end_calls }),
});
