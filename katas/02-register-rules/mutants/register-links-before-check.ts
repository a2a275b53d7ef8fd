// Wrong: links the subscription first and runs the both-kinds check after it: a refused registration returns -EINVAL with its subscription still on the list.
import { EINVAL, mmap_assert_write_locked, mmu_notifier_subscriptions, mm_notifier_subscriptions, hlist_add_head_rcu, type MmuNotifierCore, type mm_struct, type mmu_notifier } from "tlbkata";
export { mmu_notifier_get_locked, mmu_notifier_put } from "../../../solutions/02-register-rules/mmu_notifier";

export function __mmu_notifier_register(core: MmuNotifierCore, subscription: mmu_notifier, mm: mm_struct): number {
  mmap_assert_write_locked(mm);
  const ops = subscription.ops;
  // A hardware TLB user (invalidate_secondary_tlbs) must not also use start/end.
  const both = ops.invalidate_secondary_tlbs !== undefined && (ops.invalidate_range_start !== undefined || ops.invalidate_range_end !== undefined);
  let subscriptions = mm_notifier_subscriptions(mm);
  if (!subscriptions) {
    subscriptions = new mmu_notifier_subscriptions();
    mm.notifier_subscriptions = subscriptions;
  }
  subscription.mm = mm;
  subscription.users.value = 1;
  hlist_add_head_rcu(subscription, subscriptions);
  if (core.warnings.WARN_ON_ONCE(both, "__mmu_notifier_register", `${ops.name ?? subscription.name} implements invalidate_secondary_tlbs and invalidate_range_start/end`)) {
    return -EINVAL;
  }
  return 0;
}
