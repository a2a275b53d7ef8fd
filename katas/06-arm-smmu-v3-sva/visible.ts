/**
 * Visible tests for kata 06: run them with `npx tlbkata check 06`. Each runs a
 * scenario with your driver and fails with the rule the oracle saw broken.
 */
import { defineSuite, runScenarioStraight, expectCoherent, armSmmuV3SvaDriver, type ArmSmmuV3SvaModule } from "tlbkata";

export default defineSuite<ArmSmmuV3SvaModule>("visible", [
  {
    name: "reclaim, run straight: the page's translation is gone from the SMMU TLB and the ATC when the ptl is released",
    points: 1,
    run: (impl) => void runScenarioStraight("reclaim", armSmmuV3SvaDriver(impl)),
  },
  {
    name: "munmap with BTM, every interleaving: the SMMU TLB follows the CPU, the ATC does not",
    points: 1,
    run: (impl) => expectCoherent("munmap", armSmmuV3SvaDriver(impl, "arm", "", { btm: true })),
  },
  {
    name: "exit, run straight: after release nothing of the mm is cached",
    points: 1,
    run: (impl) => void runScenarioStraight("exit", armSmmuV3SvaDriver(impl)),
  },
]);
