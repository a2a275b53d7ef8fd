// Wrong: kept invalidate_range_end (queue and wait there) and dropped the rest: too late, pages are freed first.
import { container_of, type mmu_notifier_ops, type acme_ctx } from "tlbkata";
import { acme_mn_ops as ref } from "../../../solutions/04-rename-migration/acme_sva";

export const acme_mn_ops: mmu_notifier_ops = {
  name: ref.name,
  release: ref.release,
  invalidate_range_end(mn, range) {
    const ctx = container_of<acme_ctx>(mn);
    ctx.iommu.inv_range(ctx.pasid, range.start, range.end);
    ctx.iommu.sync();
  },
};
