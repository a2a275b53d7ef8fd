// Wrong: never asserts that mmap_lock is held for write.
import { EINVAL, mmu_notifier_subscriptions, mm_notifier_subscriptions, hlist_add_head_rcu, hlist_for_each_entry, type MmuNotifierCore, type mm_struct, type mmu_notifier, type mmu_notifier_ops } from "tlbkata";
export { mmu_notifier_put } from "../../../solutions/02-register-rules/mmu_notifier";

export function __mmu_notifier_register(core: MmuNotifierCore, subscription: mmu_notifier, mm: mm_struct): number {
  const o = subscription.ops;
  if (core.warnings.WARN_ON_ONCE(!!o.invalidate_secondary_tlbs && !!(o.invalidate_range_start || o.invalidate_range_end), "__mmu_notifier_register", "both kinds")) return -EINVAL;
  const subs = mm_notifier_subscriptions(mm) ?? new mmu_notifier_subscriptions();
  mm.notifier_subscriptions = subs;
  subscription.mm = mm;
  subscription.users.value = 1;
  hlist_add_head_rcu(subscription, subs);
  return 0;
}

export function mmu_notifier_get_locked(core: MmuNotifierCore, ops: mmu_notifier_ops, mm: mm_struct): mmu_notifier | number {
  const subs = mm_notifier_subscriptions(mm);
  for (const s of subs ? hlist_for_each_entry(subs) : []) {
    if (s.ops === ops) {
      s.users.value += 1;
      return s;
    }
  }
  const s = ops.alloc_notifier!(mm);
  if (typeof s === "number") return s;
  const r = __mmu_notifier_register(core, s, mm);
  if (r) ops.free_notifier!(s);
  return r || s;
}
