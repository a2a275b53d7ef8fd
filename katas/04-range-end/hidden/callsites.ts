/** Hidden tests, kata 04-range-end: your range_end_calls, with the kernel's mn_hlist_invalidate_end. */
import { defineSuite, expectCoherent, runScenarioStraight, genericDrivers, probeDriver, rangeEndCallsKernel, require_, COHERENCE_RULES, type RangeEndModule } from "tlbkata";

const generic = () => genericDrivers.find((d) => d.name === "correct-generic")!;

/** Coherent in every interleaving, and no more flushes than the kernel's own choice. */
function site(impl: RangeEndModule, scenario: string, name: string): void {
  expectCoherent(scenario, generic(), { kernel: rangeEndCallsKernel(impl), grades: COHERENCE_RULES });
  // Counted only: a stale entry is the coherence check's to report.
  const mine = probeDriver();
  runScenarioStraight(scenario, mine, { kernel: rangeEndCallsKernel(impl), grades: [] });
  const kernel = probeDriver();
  runScenarioStraight(scenario, kernel, { grades: [] });
  require_(
    mine.calls.device <= kernel.calls.device,
    `${scenario}: with your choice for ${name} the device's IOTLB was flushed ${mine.calls.device} time(s); ${kernel.calls.device} is enough: it was already told under the ptl, or nothing it holds became wrong`,
  );
}

export default defineSuite<RangeEndModule>("callsites", [
  { name: "change_protection: mprotect stays coherent in every interleaving, with no more flushes than the kernel's", points: 2, grades: COHERENCE_RULES, run: (impl) => site(impl, "mprotect", "change_protection") },
  { name: "page_vma_mkclean_one: writeback stays coherent in every interleaving, with no more flushes than the kernel's", points: 2, grades: COHERENCE_RULES, run: (impl) => site(impl, "mkclean", "page_vma_mkclean_one") },
  { name: "wp_page_copy: COW stays coherent, with one flush per broken page", points: 2, grades: COHERENCE_RULES, run: (impl) => site(impl, "cow", "wp_page_copy") },
  { name: "__split_huge_pmd: the split stays coherent, with no flush for unchanged translations", points: 2, grades: COHERENCE_RULES, run: (impl) => site(impl, "thp-split", "__split_huge_pmd") },
]);
