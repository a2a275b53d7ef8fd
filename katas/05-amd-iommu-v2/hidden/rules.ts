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
  {
    name: "release tells the device driver once, through its invalidate-context callback, that the PASID's mm is gone",
    points: 1,
    grades: [],
    run(impl) {
      const told: number[] = [];
      const w = runScenarioStraight("exit", amdIommuV2Driver(impl, "amd", undefined, { inv_ctx_cb: (pasid) => told.push(pasid) }), { grades: [] });
      const pasid = w.k.mms.find((mm) => mm.pasid >= 0)?.pasid;
      require_(told.length === 1 && told[0] === pasid, `at exit the device driver's inv_ctx_cb was called ${told.length} time(s)${told.length ? ` (PASIDs ${told.join(", ")})` : ""}: release calls dev_state.inv_ctx_cb(pasid) once, unless the state is already invalid, so the device stops using the PASID (README, "release")`);
    },
  },
]);
