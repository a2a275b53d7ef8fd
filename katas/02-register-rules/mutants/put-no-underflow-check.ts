// Wrong: drops mmu_notifier_put's guard against a count already at 0 (the kernel's WARN_ON(!subscription->users)): a put too many (a driver unbinding twice) drives the user count below zero.
import { call_srcu, hlist_del_init_rcu, type MmuNotifierCore, type mmu_notifier } from "tlbkata";

export { __mmu_notifier_register, mmu_notifier_get_locked } from "../../../solutions/02-register-rules/mmu_notifier";

export function mmu_notifier_put(core: MmuNotifierCore, subscription: mmu_notifier): void {
  subscription.users.value = subscription.users.value - 1;
  if (subscription.users.value !== 0) return;
  hlist_del_init_rcu(subscription);
  call_srcu(core, () => subscription.ops.free_notifier!(subscription));
}
