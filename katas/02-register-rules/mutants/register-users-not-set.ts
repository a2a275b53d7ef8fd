// Wrong: __mmu_notifier_register leaves subscription->users at 0 (the count 2c7933f53f6b added is set only by get), so the first put of a registered notifier finds no user.
import { EINVAL, mmap_assert_write_locked, mmu_notifier_subscriptions, mm_notifier_subscriptions, hlist_add_head_rcu, type MmuNotifierCore, type mm_struct, type mmu_notifier } from "tlbkata";
export { mmu_notifier_get_locked, mmu_notifier_put } from "../../../solutions/02-register-rules/mmu_notifier";

export function __mmu_notifier_register(core: MmuNotifierCore, subscription: mmu_notifier, mm: mm_struct): number {
  mmap_assert_write_locked(mm);
  const ops = subscription.ops;
  // A hardware TLB user (invalidate_secondary_tlbs) must not also use start/end.
  const both = ops.invalidate_secondary_tlbs !== undefined && (ops.invalidate_range_start !== undefined || ops.invalidate_range_end !== undefined);
  if (core.warnings.WARN_ON_ONCE(both, "__mmu_notifier_register", `${ops.name ?? subscription.name} implements invalidate_secondary_tlbs and invalidate_range_start/end`)) {
    return -EINVAL;
  }
  let subscriptions = mm_notifier_subscriptions(mm);
  if (!subscriptions) {
    subscriptions = new mmu_notifier_subscriptions();
    mm.notifier_subscriptions = subscriptions;
  }
  subscription.mm = mm;
  hlist_add_head_rcu(subscription, subscriptions);
  return 0;
}
