// Wrong: dropped start/end but kept the old name invalidate_range, which the core no longer calls (and C no longer builds).
import { type legacy_mmu_notifier_ops } from "tlbkata";
import { acme_mn_ops as ref } from "../../../solutions/04-rename-migration/acme_sva";

export const acme_mn_ops: legacy_mmu_notifier_ops = {
  name: ref.name,
  release: ref.release,
  invalidate_range: ref.invalidate_secondary_tlbs,
};
