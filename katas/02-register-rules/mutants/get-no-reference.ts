// Wrong: get returns the existing notifier without taking a reference, so the first put frees it under the other user.
import { mmap_assert_write_locked, mm_notifier_subscriptions, hlist_for_each_entry, type MmuNotifierCore, type mm_struct, type mmu_notifier, type mmu_notifier_ops } from "tlbkata";
import { __mmu_notifier_register } from "../../../solutions/02-register-rules/mmu_notifier";
export { __mmu_notifier_register, mmu_notifier_put } from "../../../solutions/02-register-rules/mmu_notifier";

export function mmu_notifier_get_locked(core: MmuNotifierCore, ops: mmu_notifier_ops, mm: mm_struct): mmu_notifier | number {
  mmap_assert_write_locked(mm);
  const subs = mm_notifier_subscriptions(mm);
  for (const s of subs ? hlist_for_each_entry(subs) : []) if (s.ops === ops) return s;
  const s = ops.alloc_notifier!(mm);
  if (typeof s === "number") return s;
  const r = __mmu_notifier_register(core, s, mm);
  if (r) ops.free_notifier!(s);
  return r || s;
}
