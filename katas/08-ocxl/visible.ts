/**
 * Visible tests for kata 08: run them with `npx tlbkata check 08`. Each runs a
 * scenario with your driver and fails with the rule the oracle saw broken.
 */
import { defineSuite, runScenarioStraight, expectCoherent, ocxlDriver, ocxlSharedLinkScenario, type OcxlModule } from "tlbkata";

export default defineSuite<OcxlModule>("visible", [
  {
    name: "reclaim, run straight: the page's translation is gone from the AFU when the ptl is released",
    points: 1,
    run: (impl) => void runScenarioStraight("reclaim", ocxlDriver(impl)),
  },
  {
    name: "munmap, every interleaving: no AFU translation survives until its page is freed",
    points: 1,
    run: (impl) => expectCoherent("munmap", ocxlDriver(impl)),
  },
  {
    name: "two processes on one link, run straight: both shootdowns go through the shared registers under atsd_lock",
    points: 1,
    run: (impl) => void runScenarioStraight(ocxlSharedLinkScenario, ocxlDriver(impl)),
  },
]);
