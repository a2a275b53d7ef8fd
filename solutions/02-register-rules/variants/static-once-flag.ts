/**
 * Kata 02 (register rules), a correct solution written as C writes WARN_ON_ONCE: a
 * static once-flag beside the call site and a plain WARN_ON the first time, instead of
 * the core's WARN_ON_ONCE helper. get and put are the reference's (get registers
 * through the core's entry point, so it runs this register).
 */
import {
  EINVAL,
  mmap_assert_write_locked,
  mmu_notifier_subscriptions,
  mm_notifier_subscriptions,
  hlist_add_head_rcu,
  type MmuNotifierCore,
  type mm_struct,
  type mmu_notifier,
} from "tlbkata";

export { mmu_notifier_get_locked, mmu_notifier_put } from "../mmu_notifier";

/** This call site's once-flag (WARN_ON_ONCE keeps one per call site): once per boot, and a boot loads the file afresh. */
let warned = false;

export function __mmu_notifier_register(core: MmuNotifierCore, subscription: mmu_notifier, mm: mm_struct): number {
  mmap_assert_write_locked(mm);
  const ops = subscription.ops;
  if (ops.invalidate_secondary_tlbs && (ops.invalidate_range_start || ops.invalidate_range_end)) {
    if (!warned) {
      warned = true;
      core.warnings.WARN_ON(true, "__mmu_notifier_register", `${ops.name ?? subscription.name} implements invalidate_secondary_tlbs and invalidate_range_start/end`);
    }
    return -EINVAL;
  }
  const subscriptions = mm_notifier_subscriptions(mm) ?? (mm.notifier_subscriptions = new mmu_notifier_subscriptions());
  subscription.mm = mm;
  subscription.users.value = 1;
  hlist_add_head_rcu(subscription, subscriptions as mmu_notifier_subscriptions);
  return 0;
}
