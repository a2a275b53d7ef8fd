// Wrong: refuses only ops with invalidate_secondary_tlbs and both start and end; either one mixes the kinds.
import { EINVAL, mmap_assert_write_locked, mmu_notifier_subscriptions, mm_notifier_subscriptions, hlist_add_head_rcu, type MmuNotifierCore, type mm_struct, type mmu_notifier } from "tlbkata";
export { mmu_notifier_get_locked, mmu_notifier_put } from "../../../solutions/02-register-rules/mmu_notifier";

export function __mmu_notifier_register(core: MmuNotifierCore, subscription: mmu_notifier, mm: mm_struct): number {
  mmap_assert_write_locked(mm);
  const o = subscription.ops;
  const both = !!o.invalidate_secondary_tlbs && !!o.invalidate_range_start && !!o.invalidate_range_end;
  if (core.warnings.WARN_ON_ONCE(both, "__mmu_notifier_register", "both kinds")) return -EINVAL;
  const subs = mm_notifier_subscriptions(mm) ?? new mmu_notifier_subscriptions();
  mm.notifier_subscriptions = subs;
  subscription.mm = mm;
  subscription.users.value = 1;
  hlist_add_head_rcu(subscription, subs);
  return 0;
}
