/**
 * Kata 02, a correct solution written differently: early returns, the op looked up
 * once per subscription, the read section closed in a finally block, and the wrapper
 * going through the core's own slow-path entry.
 */
import { srcu_read_lock, srcu_read_unlock, type MmuNotifierCore, type mm_struct } from "tlbkata";

export const mm_has_notifiers = (mm: mm_struct): boolean => Boolean(mm.notifier_subscriptions);

export function __mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  const idx = srcu_read_lock(core.sim);
  try {
    for (const sub of core.subscriptions(mm)) {
      const op = sub.ops.invalidate_secondary_tlbs;
      if (!op) continue;
      op.call(sub.ops, sub, mm, start, end);
    }
  } finally {
    srcu_read_unlock(core.sim, idx);
  }
}

export function mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  if (!mm_has_notifiers(mm)) return;
  core.__mmu_notifier_invalidate_secondary_tlbs(mm, start, end);
}
