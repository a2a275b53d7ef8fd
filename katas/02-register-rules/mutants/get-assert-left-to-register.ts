// Wrong: mmu_notifier_get_locked leaves mmap_assert_write_locked to __mmu_notifier_register, so a get that finds the notifier, or whose alloc_notifier fails, walks and changes the list unchecked.
import { mm_notifier_subscriptions, hlist_for_each_entry, type MmuNotifierCore, type mm_struct, type mmu_notifier, type mmu_notifier_ops } from "tlbkata";
import { __mmu_notifier_register } from "../../../solutions/02-register-rules/mmu_notifier";

export { __mmu_notifier_register, mmu_notifier_put } from "../../../solutions/02-register-rules/mmu_notifier";

export function mmu_notifier_get_locked(core: MmuNotifierCore, ops: mmu_notifier_ops, mm: mm_struct): mmu_notifier | number {
  const subscriptions = mm_notifier_subscriptions(mm);
  if (subscriptions) {
    for (const subscription of hlist_for_each_entry(subscriptions)) {
      if (subscription.ops !== ops) continue;
      subscription.users.value = subscription.users.value + 1;
      return subscription;
    }
  }
  const subscription = ops.alloc_notifier!(mm);
  if (typeof subscription === "number") return subscription;
  const ret = __mmu_notifier_register(core, subscription, mm);
  if (ret !== 0) {
    subscription.ops.free_notifier!(subscription);
    return ret;
  }
  return subscription;
}
