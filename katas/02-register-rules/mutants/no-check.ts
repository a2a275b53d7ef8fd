// Wrong: no both-kinds check: registers ops with invalidate_secondary_tlbs and start/end.
import { mmap_assert_write_locked, mmu_notifier_subscriptions, mm_notifier_subscriptions, hlist_add_head_rcu, type MmuNotifierCore, type mm_struct, type mmu_notifier } from "tlbkata";
export { mmu_notifier_get_locked, mmu_notifier_put } from "../../../solutions/02-register-rules/mmu_notifier";

export function __mmu_notifier_register(_core: MmuNotifierCore, subscription: mmu_notifier, mm: mm_struct): number {
  mmap_assert_write_locked(mm);
  const subs = mm_notifier_subscriptions(mm) ?? new mmu_notifier_subscriptions();
  mm.notifier_subscriptions = subs;
  subscription.mm = mm;
  subscription.users.value = 1;
  hlist_add_head_rcu(subscription, subs);
  return 0;
}
