/**
 * Hidden tests, kata 06: ranges at the 64-bit edges (src/scenarios/ranges.ts). The
 * standard scenarios live at 1 GiB with small ranges, where a size kept in 32 bits, a
 * page count that wraps, or a threshold on both sides of CMDQ_MAX_TLBI_OPS cannot show.
 */
import { defineSuite, runScenarioStraight, armSmmuV3SvaDriver, rangeScenarios, COHERENCE_RULES, type ArmSmmuV3SvaModule, type ArmSmmuDriverOptions, type Scenario, type RuleId } from "tlbkata";

/** Coherence, and the soft lockup of one TLBI per page of a huge range. */
const GRADES: RuleId[] = [...COHERENCE_RULES, "invalidation-flood"];

const byName = (name: string): Scenario => rangeScenarios.find((s) => s.name === name)!;

const EDGES = ["munmap-above-2g", "munmap-above-4g", "munmap-4g-span", "munmap-top", "mprotect-2g", "mprotect-511", "mprotect-512"];

const straight = (impl: ArmSmmuV3SvaModule, names: readonly string[], hw: ArmSmmuDriverOptions): void => {
  for (const s of names) runScenarioStraight(byName(s), armSmmuV3SvaDriver(impl, "arm", "", hw), { grades: GRADES });
};

export default defineSuite<ArmSmmuV3SvaModule>("ranges", [
  {
    name: "64-bit ranges, run straight: above 2 GiB and 4 GiB, a 4 GiB + 4 KiB span, the top of user space, 2 GiB, and 511 and 512 pages leave nothing of the range cached, without a flood",
    points: 2,
    grades: GRADES,
    run: (impl) => straight(impl, EDGES, {}),
  },
  {
    name: "the same ranges with RANGE_INV: range TLBIs cover every page of them",
    points: 1,
    grades: GRADES,
    run: (impl) => straight(impl, EDGES, { rangeInv: true }),
  },
  {
    name: "x86 v6.6, batched reclaim under the ptl: (0, ULONG_MAX) is one ASID-wide TLBI, with or without RANGE_INV",
    points: 1,
    grades: GRADES,
    run(impl) {
      straight(impl, ["reclaim-whole-mm"], {});
      straight(impl, ["reclaim-whole-mm"], { rangeInv: true });
    },
  },
]);
