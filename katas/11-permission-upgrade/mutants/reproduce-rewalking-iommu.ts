// Wrong: reproduce_livelock builds the arm64 kernel but with upgradeDriver("x86"), an IOMMU that re-walks on a permission fault: the machine it searches cannot livelock.
import { explore, upgradeScenario, upgradeDriver, upgradeKernel, type Counterexample } from "tlbkata";
export { ptep_set_access_flags } from "../../../solutions/11-permission-upgrade/permission_upgrade";

export function reproduce_livelock(): Counterexample | undefined {
  return explore(upgradeScenario.build(upgradeDriver("x86"), upgradeKernel("arm64")), { shortest: true }).violation;
}
