/**
 * Hidden tests, kata 05: ranges at the 64-bit edges (src/scenarios/ranges.ts). The
 * standard scenarios live at 1 GiB with small ranges, where a one-page test computed in
 * 32 bits, or a page count that wraps, cannot show.
 */
import { defineSuite, runScenarioStraight, amdIommuV2Driver, rangeScenarios, COHERENCE_RULES, type AmdIommuV2Module, type Scenario, type RuleId } from "tlbkata";

/** Coherence, and the soft lockup of one command per page of a huge range. */
const GRADES: RuleId[] = [...COHERENCE_RULES, "invalidation-flood"];

const byName = (name: string): Scenario => rangeScenarios.find((s) => s.name === name)!;

export default defineSuite<AmdIommuV2Module>("ranges", [
  {
    name: "64-bit ranges, run straight: a span of 4 GiB + 4 KiB, the top of user space, one page and two pages at 4 GiB leave nothing of the range cached",
    points: 2,
    grades: GRADES,
    run(impl) {
      for (const s of ["munmap-4g-span", "munmap-top", "mprotect-1", "mprotect-2", "mprotect-2g"]) runScenarioStraight(byName(s), amdIommuV2Driver(impl), { grades: GRADES });
    },
  },
  {
    name: "x86 v6.6, batched reclaim under the ptl: (0, ULONG_MAX) is the whole address space, not one page",
    points: 1,
    grades: GRADES,
    run: (impl) => void runScenarioStraight(byName("reclaim-whole-mm"), amdIommuV2Driver(impl), { grades: GRADES }),
  },
]);
