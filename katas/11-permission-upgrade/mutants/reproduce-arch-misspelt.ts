// Wrong: reproduce_livelock names the machine "arm" instead of "arm64", which only the type checker would notice: no such machine, so there is nothing to reproduce on.
import { explore, upgradeScenario, upgradeDriver, upgradeKernel, type ArchName, type Counterexample } from "tlbkata";
export { ptep_set_access_flags } from "../../../solutions/11-permission-upgrade/permission_upgrade";

export function reproduce_livelock(): Counterexample | undefined {
  const arch = "arm" as ArchName;
  return explore(upgradeScenario.build(upgradeDriver(arch), upgradeKernel(arch)), { shortest: true }).violation;
}
