// Wrong: __mmu_notifier_register takes mmap_lock for write itself, as do_mmu_notifier_register did before "mm/mmu_notifiers: hoist do_mmu_notifier_register down_write to the caller" (linux-mm, <20190806231548.25242-2-jgg@ziepe.ca>); its callers already hold it: a self-deadlock.
import { EINVAL, mmu_notifier_subscriptions, mm_notifier_subscriptions, hlist_add_head_rcu, type MmuNotifierCore, type mm_struct, type mmu_notifier } from "tlbkata";
export { mmu_notifier_get_locked, mmu_notifier_put } from "../../../solutions/02-register-rules/mmu_notifier";

export function __mmu_notifier_register(core: MmuNotifierCore, subscription: mmu_notifier, mm: mm_struct): number {
  mm.mmap_lock.down_write();
  const ops = subscription.ops;
  // A hardware TLB user (invalidate_secondary_tlbs) must not also use start/end.
  const both = ops.invalidate_secondary_tlbs !== undefined && (ops.invalidate_range_start !== undefined || ops.invalidate_range_end !== undefined);
  if (core.warnings.WARN_ON_ONCE(both, "__mmu_notifier_register", `${ops.name ?? subscription.name} implements invalidate_secondary_tlbs and invalidate_range_start/end`)) {
    mm.mmap_lock.up_write();
    return -EINVAL;
  }
  let subscriptions = mm_notifier_subscriptions(mm);
  if (!subscriptions) {
    subscriptions = new mmu_notifier_subscriptions();
    mm.notifier_subscriptions = subscriptions;
  }
  subscription.mm = mm;
  subscription.users.value = 1;
  hlist_add_head_rcu(subscription, subscriptions);
  mm.mmap_lock.up_write();
  return 0;
}
