/** Hidden tests, kata 08: the notifier's rules (registration, atomic context, the register lock). */
import { defineSuite, runScenarioStraight, ocxlDriver, require_, type OcxlModule } from "tlbkata";

export default defineSuite<OcxlModule>("rules", [
  {
    name: "binding registers an ops table with invalidate_secondary_tlbs only, and it is called",
    points: 1,
    run(impl) {
      const w = runScenarioStraight("reclaim", ocxlDriver(impl));
      require_(w.k.mn.calls.invalidate_secondary_tlbs > 0, "invalidate_secondary_tlbs was never called: the ops table must provide it");
    },
  },
  {
    name: "the ATSD registers are written only with the link's atsd_lock held (lockdep_assert_held)",
    points: 2,
    run(impl) {
      const w = runScenarioStraight("reclaim", ocxlDriver(impl));
      require_(w.k.iommus[0]!.totalCommands() > 0, "reclaim of a page the AFU had cached launched no shootdown");
    },
  },
  {
    name: "invalidate_secondary_tlbs neither sleeps nor returns holding a lock (it runs under the ptl)",
    points: 1,
    run: (impl) => void runScenarioStraight("migration", ocxlDriver(impl)),
  },
]);
