/**
 * Hidden tests, kata 08: what the standard scenarios cannot show. Their pages live at
 * 1 GiB, where an address kept in 32 bits is still right (src/scenarios/ranges.ts puts
 * them above 2 GiB, above 4 GiB and at the top of user space); and their callbacks
 * under the ptl are for a page or two, where a lock chosen by the range's size is
 * always the spinlock (a THP split or a hugetlb COW clears 512 pages under it).
 */
import { defineSuite, runScenarioStraight, straightWithWork, ocxlDriver, rangeScenarios, SLEEP_RULES, COHERENCE_RULES, type OcxlModule, type Scenario } from "tlbkata";

const byName = (name: string): Scenario => rangeScenarios.find((s) => s.name === name)!;

/** Page by page, so only ranges of a few pages: (0, ULONG_MAX) and 2^18 pages are this driver's known weakness (README). */
const EDGES = ["munmap-above-2g", "munmap-above-4g", "munmap-top"].map(byName);

export default defineSuite<OcxlModule>("ranges", [
  {
    name: "64-bit addresses, run straight: pages above 2 GiB, above 4 GiB and at the top of user space are shot down at their own address",
    points: 2,
    grades: COHERENCE_RULES,
    run(impl) {
      for (const s of EDGES) runScenarioStraight(s, ocxlDriver(impl), { grades: COHERENCE_RULES });
    },
  },
  {
    name: "a 2 MiB range under the ptl (hugetlb COW) neither sleeps nor returns holding a lock, whatever the range's size",
    points: 1,
    grades: SLEEP_RULES,
    run: (impl) => void straightWithWork("hugetlb-cow", ocxlDriver(impl), { grades: SLEEP_RULES }),
  },
]);
