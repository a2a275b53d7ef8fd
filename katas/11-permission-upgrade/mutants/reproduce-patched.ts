// Wrong: reproduce_livelock searches the arm64 machine with the patch in: the livelock is gone.
import { explore, upgradeScenario, upgradeDriver, upgradeKernel, type Counterexample } from "tlbkata";
import * as patched from "../../../solutions/11-permission-upgrade/permission_upgrade";
export { ptep_set_access_flags } from "../../../solutions/11-permission-upgrade/permission_upgrade";

export function reproduce_livelock(): Counterexample | undefined {
  return explore(upgradeScenario.build(upgradeDriver("arm64"), upgradeKernel("arm64", patched)), { shortest: true }).violation;
}
