/**
 * Hidden tests, kata 07: ranges at the 64-bit edges (src/scenarios/ranges.ts). The
 * standard scenarios live at 1 GiB with small ranges, where an address kept in 32 bits
 * or an address mask above cap_max_amask_val cannot show.
 */
import {
  defineSuite,
  runScenarioStraight,
  intelSvmDriver,
  rangeScenarios,
  COHERENCE_RULES,
  type IntelSvmModule,
  type Scenario,
  type RuleId,
} from "tlbkata";

/** Coherence, and the soft lockup of one descriptor per page over 2^18 pages. */
const GRADES: RuleId[] = [...COHERENCE_RULES, "invalidation-flood"];

const byName = (name: string): Scenario => rangeScenarios.find((s) => s.name === name)!;

/** Above 2 GiB, above 4 GiB, a 4 GiB span, the top of user space, 2^19 pages, and just around AM 18. */
const EDGES = ["munmap-above-2g", "munmap-above-4g", "munmap-4g-span", "munmap-top", "mprotect-2g", `mprotect-${2 ** 18}`, `mprotect-${2 ** 18 + 1}`].map(byName);

export default defineSuite<IntelSvmModule>("ranges", [
  {
    name: "64-bit ranges, run straight: ranges above 4 GiB, at the top of user space and of 2^18 pages or more leave nothing of the range cached, in a bounded number of descriptors",
    points: 2,
    grades: GRADES,
    run(impl) {
      for (const s of EDGES) runScenarioStraight(s, intelSvmDriver(impl), { grades: GRADES });
    },
  },
]);
