// Wrong: ported to arch_invalidate_secondary_tlbs, the name v6.6 merged the rename under, against the RFC's struct, which calls invalidate_secondary_tlbs: the flush is never called.
import { type mmu_notifier_ops } from "tlbkata";
import { acme_mn_ops as ref } from "../../../solutions/04-rename-migration/acme_sva";

export const acme_mn_ops = {
  name: ref.name,
  release: ref.release,
  arch_invalidate_secondary_tlbs: ref.invalidate_secondary_tlbs,
} as mmu_notifier_ops;
