// Wrong: mm_has_notifiers() tests for null the wrong way round, so range_start/end skip every user too.
import { type mm_struct } from "tlbkata";
import { __mmu_notifier_invalidate_secondary_tlbs, mmu_notifier_invalidate_secondary_tlbs } from "../../../solutions/02-notifier-core/mmu_notifier";
export { __mmu_notifier_invalidate_secondary_tlbs, mmu_notifier_invalidate_secondary_tlbs };

export function mm_has_notifiers(mm: mm_struct): boolean {
  return mm.notifier_subscriptions === null;
}
