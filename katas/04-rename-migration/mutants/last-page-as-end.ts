// Wrong: converts the exclusive end to the last page (end - PAGE_SIZE, an inclusive end) and passes it to inv_range, which takes an exclusive end: the last page of every range (all of a one-page range) stays cached.
import { container_of, PAGE_SIZE, type mmu_notifier_ops, type acme_ctx } from "tlbkata";
import { acme_mn_ops as ref } from "../../../solutions/04-rename-migration/acme_sva";

export const acme_mn_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const ctx = container_of<acme_ctx>(mn);
    ctx.iommu.inv_range(ctx.pasid, start, end - PAGE_SIZE);
    ctx.iommu.sync();
  },
};
