/**
 * Kata 02 (register rules), a correct solution written differently: the rule as a
 * helper, the lookup as its own function (find_get_mmu_notifier), registration going
 * through the core's entry point, and put testing the count before dropping it.
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

const mixesKinds = (ops: mmu_notifier_ops): boolean => !!ops.invalidate_secondary_tlbs && !!(ops.invalidate_range_start ?? ops.invalidate_range_end);

export function __mmu_notifier_register(core: MmuNotifierCore, subscription: mmu_notifier, mm: mm_struct): number {
  mmap_assert_write_locked(mm);
  if (core.warnings.WARN_ON_ONCE(mixesKinds(subscription.ops), "__mmu_notifier_register", "secondary TLB users must not use invalidate_range_start/end")) return -EINVAL;
  const subs = mm_notifier_subscriptions(mm) ?? (mm.notifier_subscriptions = new mmu_notifier_subscriptions());
  subscription.mm = mm;
  subscription.users.value = 1;
  hlist_add_head_rcu(subscription, subs as mmu_notifier_subscriptions);
  return 0;
}

function find_get_mmu_notifier(mm: mm_struct, ops: mmu_notifier_ops): mmu_notifier | null {
  const subs = mm_notifier_subscriptions(mm);
  const found = subs ? [...hlist_for_each_entry(subs)].find((s) => s.ops === ops) : undefined;
  if (!found) return null;
  found.users.value += 1;
  return found;
}

export function mmu_notifier_get_locked(core: MmuNotifierCore, ops: mmu_notifier_ops, mm: mm_struct): mmu_notifier | number {
  mmap_assert_write_locked(mm);
  const existing = find_get_mmu_notifier(mm, ops);
  if (existing) return existing;
  if (!ops.alloc_notifier) return -EINVAL;
  const fresh = ops.alloc_notifier(mm);
  if (typeof fresh === "number") return fresh;
  const ret = core.__mmu_notifier_register(fresh, mm);
  if (ret) ops.free_notifier?.(fresh);
  return ret ? ret : fresh;
}

export function mmu_notifier_put(core: MmuNotifierCore, subscription: mmu_notifier): void {
  const users = subscription.users.value;
  if (users > 1) {
    subscription.users.value = users - 1;
    return;
  }
  if (users !== 1) return;
  subscription.users.value = 0;
  hlist_del_init_rcu(subscription);
  call_srcu(core, () => subscription.ops.free_notifier?.(subscription));
}
