/**
 * Hidden tests, kata 04-clear-flush-notify: the scenarios that use the helpers, every
 * interleaving (or, for the larger ones, run straight: the device first, then the
 * kernel path, which is the order that shows these bugs).
 */
import {
  defineSuite,
  expectCoherent,
  runScenarioStraight,
  eagerSvaDriver,
  clearFlushKernel,
  hugetlbCowOffsetScenario,
  fileThpSplitScenario,
  munmapCpuScenario,
  munmapSecondPageScenario,
  type ClearFlushNotifyModule,
  type ScenarioRef,
} from "tlbkata";

const on = (scenario: ScenarioRef, points: number, what: string) => ({
  name: `${typeof scenario === "string" ? scenario : scenario.name}: ${what}`,
  points,
  run: (impl: ClearFlushNotifyModule) => expectCoherent(scenario, eagerSvaDriver(), { kernel: clearFlushKernel(impl) }),
});

const straight = (scenario: ScenarioRef, points: number, what: string) => ({
  name: `${typeof scenario === "string" ? scenario : scenario.name}, run straight: ${what}`,
  points,
  run: (impl: ClearFlushNotifyModule) => void runScenarioStraight(scenario, eagerSvaDriver(), { kernel: clearFlushKernel(impl) }),
});

export default defineSuite<ClearFlushNotifyModule>("coherence", [
  on("cow", 2, "ptep_clear_flush_notify in wp_page_copy, the device reading A, B, A"),
  on("munmap", 2, "the batch fills mid-unmap: tlb_flush_mmu_tlbonly runs before the pages are freed"),
  straight(munmapSecondPageScenario, 1, "the device uses the second page of the first batch"),
  on(hugetlbCowOffsetScenario, 2, "pmdp_huge_clear_flush_notify in hugetlb_wp, the device on 4 KiB pieces 3 and 300"),
  on(fileThpSplitScenario, 1, "a file THP split at an unaligned address, then truncate frees the page"),
  straight(munmapCpuScenario, 1, "tlb_finish_mmu: a CPU still caches A; the pages are freed only after the flush"),
]);
