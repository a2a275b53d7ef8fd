// Wrong: no fast path: every call enters the slow path and its SRCU read section, notifiers or not.
import { type MmuNotifierCore, type mm_struct } from "tlbkata";
import { mm_has_notifiers, __mmu_notifier_invalidate_secondary_tlbs } from "../../../solutions/02-notifier-core/mmu_notifier";
export { mm_has_notifiers, __mmu_notifier_invalidate_secondary_tlbs };

export function mmu_notifier_invalidate_secondary_tlbs(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void {
  __mmu_notifier_invalidate_secondary_tlbs(core, mm, start, end);
}
