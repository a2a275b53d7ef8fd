/** Hidden tests, kata 11: the learner's reproduction replays to the livelock on the unpatched arm64 machine. */
import { defineSuite, runSchedule, upgradeScenario, upgradeDriver, upgradeKernel, require_, type PermissionUpgradeModule } from "tlbkata";

export default defineSuite<PermissionUpgradeModule>("reproduce", [
  {
    name: "reproduce_livelock returns a device-livelock counterexample",
    points: 1,
    run(impl) {
      const cx = impl.reproduce_livelock();
      require_(cx !== undefined && cx.violation.rule === "device-livelock", `reproduce_livelock() returned ${cx ? cx.violation.rule : "nothing"}, expected a device-livelock`);
    },
  },
  {
    name: "its schedule, replayed on arm64 with the SMMU and no patch, livelocks the device",
    points: 2,
    run(impl) {
      const cx = impl.reproduce_livelock();
      require_(cx !== undefined, "reproduce_livelock() returned nothing");
      const w = upgradeScenario.build(upgradeDriver("arm64"), upgradeKernel("arm64"));
      let rule: string | undefined;
      try {
        rule = runSchedule(w, cx.schedule).violation?.rule;
      } catch (e) {
        require_(false, `the schedule does not fit the upgrade scenario on arm64: ${(e as Error).message}`);
      }
      require_(rule === "device-livelock", `replayed on arm64 with the SMMU and the unpatched kernel, the schedule ends in ${rule ?? "no violation"}`);
    },
  },
]);
