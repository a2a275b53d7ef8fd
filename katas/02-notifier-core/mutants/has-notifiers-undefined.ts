// Wrong: mm_has_notifiers compares mm->notifier_subscriptions with undefined, but an mm without notifiers holds null: always true, so the fast path never returns early.
import { type mm_struct } from "tlbkata";
import { __mmu_notifier_invalidate_secondary_tlbs, mmu_notifier_invalidate_secondary_tlbs } from "../../../solutions/02-notifier-core/mmu_notifier";
export { __mmu_notifier_invalidate_secondary_tlbs, mmu_notifier_invalidate_secondary_tlbs };

export function mm_has_notifiers(mm: mm_struct): boolean {
  return mm.notifier_subscriptions !== undefined;
}
