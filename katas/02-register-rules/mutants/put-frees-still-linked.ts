// Wrong: the last put frees the notifier but leaves it on the list: later invalidations call freed memory.
import { call_srcu, type MmuNotifierCore, type mmu_notifier } from "tlbkata";
export { __mmu_notifier_register, mmu_notifier_get_locked } from "../../../solutions/02-register-rules/mmu_notifier";

export function mmu_notifier_put(core: MmuNotifierCore, subscription: mmu_notifier): void {
  subscription.users.value = subscription.users.value - 1;
  if (subscription.users.value) return;
  call_srcu(core, () => subscription.ops.free_notifier!(subscription));
}
