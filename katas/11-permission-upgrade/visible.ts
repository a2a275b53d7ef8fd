/** Visible tests for kata 11: `npx tlbkata check 11-permission-upgrade`. */
import { defineSuite, runScenarioStraight, upgradeScenario, upgradeDriver, upgradeKernel, require_, type PermissionUpgradeModule } from "tlbkata";

export default defineSuite<PermissionUpgradeModule>("visible", [
  {
    name: "reproduce_livelock finds the device livelock of the unpatched kernel",
    points: 1,
    run(impl) {
      const cx = impl.reproduce_livelock();
      require_(cx !== undefined, "reproduce_livelock() returned nothing: search upgradeScenario on arm64 with the SMMU (upgradeDriver(\"arm64\")) and the kernel's own ptep_set_access_flags");
      require_(cx.violation.rule === "device-livelock", `reproduce_livelock() found ${cx.violation.rule}, not device-livelock`);
    },
  },
  {
    name: "x86, run straight: the device writes A after the upgrade",
    points: 1,
    run: (impl) => void runScenarioStraight(upgradeScenario, upgradeDriver("x86"), { kernel: upgradeKernel("x86", impl) }),
  },
  {
    name: "arm64 with an SMMU, run straight: the device writes A after the upgrade",
    points: 1,
    run: (impl) => void runScenarioStraight(upgradeScenario, upgradeDriver("arm64"), { kernel: upgradeKernel("arm64", impl) }),
  },
]);
