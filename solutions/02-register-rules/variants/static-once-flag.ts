/**
 * Kata 02 (register rules), a correct solution written as C writes WARN_ON_ONCE: a
 * static once-flag beside the call site and a plain WARN_ON the first time, instead of
 * the core's WARN_ON_ONCE helper.
 */
import {
  EINVAL,
  mmap_assert_write_locked,
  mmu_notifier_subscriptions,
  mm_notifier_subscriptions,
  hlist_add_head_rcu,
  hlist_del_init_rcu,
  hlist_for_each_entry,
  call_srcu,
  type MmuNotifierCore,
  type mm_struct,
  type mmu_notifier,
  type mmu_notifier_ops,
} from "tlbkata";

let warned = false;

export function __mmu_notifier_register(core: MmuNotifierCore, subscription: mmu_notifier, mm: mm_struct): number {
  mmap_assert_write_locked(mm);
  const ops = subscription.ops;
  // A hardware TLB user (invalidate_secondary_tlbs) must not also use start/end.
  const both = ops.invalidate_secondary_tlbs !== undefined && (ops.invalidate_range_start !== undefined || ops.invalidate_range_end !== undefined);
  if (both) {
    // WARN_ON_ONCE: the flag is this call site's `static bool __warned`.
    if (!warned) {
      warned = true;
      core.warnings.WARN_ON(true, "__mmu_notifier_register", `${ops.name ?? subscription.name} implements invalidate_secondary_tlbs and invalidate_range_start/end`);
    }
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
  return 0;
}

export function mmu_notifier_get_locked(core: MmuNotifierCore, ops: mmu_notifier_ops, mm: mm_struct): mmu_notifier | number {
  mmap_assert_write_locked(mm);
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
  // Through the core's entry point: it runs whichever __mmu_notifier_register is plugged in.
  const ret = core.__mmu_notifier_register(subscription, mm);
  if (ret !== 0) {
    subscription.ops.free_notifier!(subscription);
    return ret;
  }
  return subscription;
}

export function mmu_notifier_put(core: MmuNotifierCore, subscription: mmu_notifier): void {
  if (core.warnings.WARN_ON(subscription.users.value === 0, "mmu_notifier_put", `${subscription.name} has no users left`)) return;
  subscription.users.value = subscription.users.value - 1;
  if (subscription.users.value !== 0) return;
  hlist_del_init_rcu(subscription);
  call_srcu(core, () => subscription.ops.free_notifier!(subscription));
}
