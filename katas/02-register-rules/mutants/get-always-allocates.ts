// Wrong: get never looks for an existing notifier: every bind allocates and registers a second one for the same ops and mm.
import { mmap_assert_write_locked, type MmuNotifierCore, type mm_struct, type mmu_notifier, type mmu_notifier_ops } from "tlbkata";
import { __mmu_notifier_register } from "../../../solutions/02-register-rules/mmu_notifier";
export { __mmu_notifier_register, mmu_notifier_put } from "../../../solutions/02-register-rules/mmu_notifier";

export function mmu_notifier_get_locked(core: MmuNotifierCore, ops: mmu_notifier_ops, mm: mm_struct): mmu_notifier | number {
  mmap_assert_write_locked(mm);
  const s = ops.alloc_notifier!(mm);
  if (typeof s === "number") return s;
  const r = __mmu_notifier_register(core, s, mm);
  if (r) ops.free_notifier!(s);
  return r || s;
}
