// Wrong: the fast path is inverted: the slow path runs only for mms without notifiers.
import { type MmuNotifierCore, type mm_struct } from "tlbkata";
import { mm_has_notifiers, __mmu_notifier_invalidate_secondary_tlbs } from "../../../solutions/02-notifier-core/mmu_notifier";
export { mm_has_notifiers, __mmu_notifier_invalidate_secondary_tlbs };

export function mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  if (!mm_has_notifiers(mm)) __mmu_notifier_invalidate_secondary_tlbs(core, mm, start, end);
}
