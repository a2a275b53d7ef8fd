/**
 * Hidden tests, kata 04-clear-flush-notify: the scenarios that use the helpers, every
 * interleaving (or, for the larger ones, run straight: the device first, then the
 * kernel path, which is the order that shows these bugs).
 */
import {
  defineSuite,
  straightCase,
  coherenceCase,
  eagerSvaDriver,
  clearFlushKernel,
  fileThpSplitScenario,
  daxPudSplitScenario,
  munmapCpuScenario,
  munmapSecondPageScenario,
  type ClearFlushNotifyModule,
  type ScenarioRef,
} from "tlbkata";

/** The learner's helpers plugged into the kernel; the driver flushes eagerly, whatever calls it. */
const withHelpers = (impl: ClearFlushNotifyModule) => ({ kernel: clearFlushKernel(impl) });
const on = (scenario: ScenarioRef, points: number, what: string) => coherenceCase(scenario, points, what, () => eagerSvaDriver(), withHelpers);
const straight = (scenario: ScenarioRef, points: number, what: string) => straightCase(scenario, points, what, () => eagerSvaDriver(), withHelpers);

export default defineSuite<ClearFlushNotifyModule>("coherence", [
  on("cow", 2, "ptep_clear_flush_notify in wp_page_copy, the device reading A, B, A"),
  on("munmap", 2, "the batch fills mid-unmap: tlb_flush_mmu_tlbonly runs before the pages are freed"),
  straight(munmapSecondPageScenario, 1, "the device uses the second page of the first batch"),
  on(fileThpSplitScenario, 1, "a file THP split at an unaligned address, then truncate frees the page"),
  straight(daxPudSplitScenario, 1, "a 1 GiB DAX PUD split, then truncate frees the blocks: the device reads pieces 3 and 600"),
  straight(munmapCpuScenario, 1, "tlb_finish_mmu: a CPU still caches A; the pages are freed only after the flush"),
]);
