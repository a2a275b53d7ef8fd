/** Hidden tests, kata 05: the notifier's rules (atomic context, registration, release). */
import { defineSuite, doesNotSleepUnderPtl, callsInvalidateSecondaryTlbs, runScenarioStraight, amdIommuV2Driver, require_, COHERENCE_RULES as grades, type AmdIommuV2Module } from "tlbkata";

export default defineSuite<AmdIommuV2Module>("rules", [
  callsInvalidateSecondaryTlbs(amdIommuV2Driver),
  doesNotSleepUnderPtl(amdIommuV2Driver),
  {
    name: "release leaves no translation of the exiting mm in either IOTLB",
    points: 1,
    grades,
    run(impl) {
      const w = runScenarioStraight("exit", amdIommuV2Driver(impl), { grades });
      const left = w.k.iommus[0]!.caches().reduce((n, c) => n + [...c.entries()].length, 0);
      require_(left === 0, `after exit, ${left} translation(s) of the dead mm are still cached: release must flush the whole PASID after clearing its GCR3 entry`);
    },
  },
]);
