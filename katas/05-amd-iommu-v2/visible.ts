/**
 * Visible tests for kata 05: run them with `npx tlbkata check 05`. Each runs a
 * scenario with your driver and fails with the rule the oracle saw broken.
 */
import { defineSuite, runScenarioStraight, expectCoherent, amdIommuV2Driver, type AmdIommuV2Module } from "tlbkata";

export default defineSuite<AmdIommuV2Module>("visible", [
  {
    name: "reclaim, run straight: the page's translation is gone from both IOTLBs when the ptl is released",
    points: 1,
    run: (impl) => void runScenarioStraight("reclaim", amdIommuV2Driver(impl)),
  },
  {
    name: "munmap, every interleaving: no IOTLB entry survives until its page is freed",
    points: 1,
    run: (impl) => expectCoherent("munmap", amdIommuV2Driver(impl)),
  },
  {
    name: "exit, run straight: after release the device can reach nothing of the mm",
    points: 1,
    run: (impl) => void runScenarioStraight("exit", amdIommuV2Driver(impl)),
  },
]);
