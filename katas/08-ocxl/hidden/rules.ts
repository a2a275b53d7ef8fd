/** Hidden tests, kata 08: the notifier's rules (registration, atomic context, the register lock). */
import { defineSuite, doesNotSleepUnderPtl, callsInvalidateSecondaryTlbs, runScenarioStraight, ocxlDriver, require_, type OcxlModule } from "tlbkata";

export default defineSuite<OcxlModule>("rules", [
  callsInvalidateSecondaryTlbs(ocxlDriver),
  {
    name: "the ATSD registers are written only with the link's atsd_lock held (lockdep_assert_held)",
    points: 2,
    grades: ["register-not-held"],
    run(impl) {
      const w = runScenarioStraight("reclaim", ocxlDriver(impl), { grades: ["register-not-held"] });
      require_(w.k.iommus[0]!.totalCommands() > 0, "reclaim of a page the AFU had cached launched no shootdown");
    },
  },
  doesNotSleepUnderPtl(ocxlDriver),
]);
