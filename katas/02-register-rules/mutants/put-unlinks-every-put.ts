// Wrong: every put unlinks the notifier (hlist_del_init_rcu before the user count is tested); only the free waits for the last user, so the devices still bound stop being invalidated.
import { call_srcu, hlist_del_init_rcu, type MmuNotifierCore, type mmu_notifier } from "tlbkata";

export { __mmu_notifier_register, mmu_notifier_get_locked } from "../../../solutions/02-register-rules/mmu_notifier";

export function mmu_notifier_put(core: MmuNotifierCore, subscription: mmu_notifier): void {
  if (core.warnings.WARN_ON(subscription.users.value === 0, "mmu_notifier_put", `${subscription.name} has no users left`)) return;
  hlist_del_init_rcu(subscription);
  subscription.users.value = subscription.users.value - 1;
  if (subscription.users.value !== 0) return;
  call_srcu(core, () => subscription.ops.free_notifier!(subscription));
}
