// Wrong: reproduce_livelock searches the merged v6.6 kernel, where arm64's flush_tlb_page() already notifies secondary TLBs: there is no livelock to find.
import { explore, upgradeScenario, upgradeDriver, upgradeKernel, type Counterexample } from "tlbkata";
export { ptep_set_access_flags } from "../../../solutions/11-permission-upgrade/permission_upgrade";

export function reproduce_livelock(): Counterexample | undefined {
  return explore(upgradeScenario.build(upgradeDriver("arm64"), upgradeKernel("arm64", undefined, "v6.6")), { shortest: true }).violation;
}
