// Wrong: kept invalidate_range_start (the "belt and braces" flush) and dropped the rest: too early, the IOMMU refills.
import { container_of, type mmu_notifier_ops, type acme_ctx } from "tlbkata";
import { acme_mn_ops as ref } from "../../../solutions/04-rename-migration/acme_sva";

export const acme_mn_ops: mmu_notifier_ops = {
  name: ref.name,
  release: ref.release,
  invalidate_range_start(mn, range) {
    const ctx = container_of<acme_ctx>(mn);
    ctx.iommu.inv_range(ctx.pasid, range.start, range.end);
    ctx.iommu.sync();
    return 0;
  },
};
