/**
 * Kata 02: registering an mmu_notifier on an mm, and sharing one per mm with get/put
 * (mm/mmu_notifier.c).
 *
 * Fill in the three functions marked TODO. Read README.md first; run the visible
 * tests with `npx tlbkata check 02-register-rules`.
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

/**
 * __mmu_notifier_register(): link `subscription` on `mm` with one user. The caller
 * holds mmap_lock for write. Returns 0, or -EINVAL (and a warning, once) when the ops
 * implement invalidate_secondary_tlbs together with invalidate_range_start/end.
 */
export function __mmu_notifier_register(core: MmuNotifierCore, subscription: mmu_notifier, mm: mm_struct): number {
  // TODO: the lock assertion, the both-kinds rule, then allocate mm's subscription
  //       list if it has none, set subscription.mm and its users, and link it.
  return 0;
}

/**
 * mmu_notifier_get_locked(): the subscription with these `ops` on `mm`, with one more
 * user; or a new one from ops.alloc_notifier(mm), registered. The caller holds
 * mmap_lock for write. Returns the subscription or a negative errno.
 */
export function mmu_notifier_get_locked(core: MmuNotifierCore, ops: mmu_notifier_ops, mm: mm_struct): mmu_notifier | number {
  // TODO
  return -EINVAL;
}

/**
 * mmu_notifier_put(): drop one user. The last one unlinks the subscription and frees
 * it with ops.free_notifier once SRCU readers are done with it (call_srcu).
 */
export function mmu_notifier_put(core: MmuNotifierCore, subscription: mmu_notifier): void {
  // TODO
}
