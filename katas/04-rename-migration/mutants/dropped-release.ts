// Wrong: dropped release along with start/end: the accelerator keeps using a dying mm's translations.
import { type mmu_notifier_ops } from "tlbkata";
import { acme_mn_ops as ref } from "../../../solutions/04-rename-migration/acme_sva";

export const acme_mn_ops: mmu_notifier_ops = {
  name: ref.name,
  invalidate_secondary_tlbs: ref.invalidate_secondary_tlbs,
};
