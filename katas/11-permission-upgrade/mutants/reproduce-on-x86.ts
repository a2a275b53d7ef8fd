// Wrong: reproduce_livelock searches the x86 machine, whose IOMMU re-walks: nothing to find.
import { explore, upgradeScenario, upgradeDriver, upgradeKernel, type Counterexample } from "tlbkata";
export { ptep_set_access_flags } from "../../../solutions/11-permission-upgrade/permission_upgrade";

export function reproduce_livelock(): Counterexample | undefined {
  return explore(upgradeScenario.build(upgradeDriver("x86"), upgradeKernel("x86")), { shortest: true }).violation;
}
