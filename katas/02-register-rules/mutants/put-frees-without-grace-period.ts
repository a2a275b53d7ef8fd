// Wrong: the last put unlinks the notifier and frees it at once, while an SRCU reader may still be calling it.
import { hlist_del_init_rcu, type MmuNotifierCore, type mmu_notifier } from "tlbkata";
export { __mmu_notifier_register, mmu_notifier_get_locked } from "../../../solutions/02-register-rules/mmu_notifier";

export function mmu_notifier_put(_core: MmuNotifierCore, subscription: mmu_notifier): void {
  subscription.users.value = subscription.users.value - 1;
  if (subscription.users.value) return;
  hlist_del_init_rcu(subscription);
  subscription.ops.free_notifier!(subscription);
}
