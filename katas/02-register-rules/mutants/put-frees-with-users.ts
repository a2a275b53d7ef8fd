// Wrong: put unlinks and frees the notifier whatever its user count: another device loses its invalidations.
import { hlist_del_init_rcu, call_srcu, type MmuNotifierCore, type mmu_notifier } from "tlbkata";
export { __mmu_notifier_register, mmu_notifier_get_locked } from "../../../solutions/02-register-rules/mmu_notifier";

export function mmu_notifier_put(core: MmuNotifierCore, subscription: mmu_notifier): void {
  subscription.users.value = 0;
  hlist_del_init_rcu(subscription);
  call_srcu(core, () => subscription.ops.free_notifier!(subscription));
}
