// Wrong: tests the user count before dropping it (C's `if (subscription->users--)`), so the last put sees 1, returns, and the notifier is never unlinked or freed.
import { call_srcu, hlist_del_init_rcu, type MmuNotifierCore, type mmu_notifier } from "tlbkata";

export { __mmu_notifier_register, mmu_notifier_get_locked } from "../../../solutions/02-register-rules/mmu_notifier";

export function mmu_notifier_put(core: MmuNotifierCore, subscription: mmu_notifier): void {
  if (core.warnings.WARN_ON(subscription.users.value === 0, "mmu_notifier_put", `${subscription.name} has no users left`)) return;
  const users = subscription.users.value;
  subscription.users.value = users - 1;
  if (users !== 0) return;
  hlist_del_init_rcu(subscription);
  call_srcu(core, () => subscription.ops.free_notifier!(subscription));
}
