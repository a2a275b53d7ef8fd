/**
 * Hidden tests, kata 07: coherence on the standard scenarios and the kata's own. Most
 * run every interleaving; those whose bugs need no race (a block that misses a page, a
 * device left out) run straight, the device first, to keep grading fast.
 */
import { defineSuite, straightCase, coherenceCase, intelSvmDriver, type IntelSvmModule, type ScenarioRef, type ScenarioOptions } from "tlbkata";
import { munmapUnaligned, munmapOddPair, twoDevices } from "../scenarios";

const on = (scenario: ScenarioRef, points: number, what: string, opts: ScenarioOptions = {}, ats = true) =>
  coherenceCase(scenario, points, what, (impl: IntelSvmModule) => intelSvmDriver(impl, "intel", "", { ats }), opts);

const straight = (scenario: ScenarioRef, points: number, what: string, ats = true) =>
  straightCase(scenario, points, what, (impl: IntelSvmModule) => intelSvmDriver(impl, "intel", "", { ats }));

export default defineSuite<IntelSvmModule>("coherence", [
  on("munmap", 2, "the mmu_gather batch fills and frees pages mid-unmap"),
  on("reclaim", 1, "try_to_unmap_one replaces the PTE with a swap entry"),
  on("migration", 1, "try_to_migrate_one installs a migration entry"),
  on("cow", 2, "wp_page_copy points the PTE at a new page"),
  on("mprotect", 1, "change_protection removes write permission"),
  on("mkclean", 1, "writeback write-protects a dirty page"),
  on("thp-split", 2, "a 2 MiB translation must go when the PMD is split"),
  on("hugetlb-cow", 1, "hugetlb_wp breaks COW on a 2 MiB page"),
  on("exit", 2, "release tears the PASID down before the pages are freed"),
  on(munmapUnaligned, 3, "three pages from an odd page: every page of an unaligned range is invalidated"),
  straight(munmapOddPair, 2, "two pages from an odd page cross an aligned block boundary"),
  straight(twoDevices, 2, "every device on svm->devs is flushed, each on its own VT-d unit"),
  on(twoDevices, 1, "each VT-d unit has its own invalidation queue, and each queue's wait must complete before the callback returns"),
  straight("munmap", 1, "without ATS (no device-TLB)", false),
  straight(munmapUnaligned, 1, "unaligned range without ATS", false),
  on("cow", 1, "with the v6.6 notifier model (called from the TLB flush)", { kernel: { arch: { notifierModel: "v6.6" } } }),
]);
