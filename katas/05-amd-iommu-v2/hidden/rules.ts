/** Hidden tests, kata 05: the notifier's rules (atomic context, registration, release). */
import { defineSuite, runScenarioStraight, amdIommuV2Driver, require_, type AmdIommuV2Module } from "tlbkata";

export default defineSuite<AmdIommuV2Module>("rules", [
  {
    name: "binding registers an ops table with invalidate_secondary_tlbs only, and it is called",
    points: 1,
    run(impl) {
      const w = runScenarioStraight("reclaim", amdIommuV2Driver(impl));
      require_(w.k.mn.calls.invalidate_secondary_tlbs > 0, "invalidate_secondary_tlbs was never called: the ops table must provide it");
    },
  },
  {
    name: "invalidate_secondary_tlbs neither sleeps nor returns holding a lock (it runs under the ptl)",
    points: 1,
    run: (impl) => void runScenarioStraight("migration", amdIommuV2Driver(impl)),
  },
  {
    name: "release leaves no translation of the exiting mm in either IOTLB",
    points: 1,
    run(impl) {
      const w = runScenarioStraight("exit", amdIommuV2Driver(impl));
      const left = w.k.iommus[0]!.caches().reduce((n, c) => n + [...c.entries()].length, 0);
      require_(left === 0, `after exit, ${left} translation(s) of the dead mm are still cached: release must flush the whole PASID after clearing its GCR3 entry`);
    },
  },
]);
