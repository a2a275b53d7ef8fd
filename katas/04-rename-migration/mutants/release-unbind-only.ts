// Wrong: release only clears the PASID entry, as if that dropped what the IOTLB already caches: the cached translations of the dying mm survive until the pages are freed.
import { container_of, type mmu_notifier_ops, type acme_ctx } from "tlbkata";
import { acme_mn_ops as ref } from "../../../solutions/04-rename-migration/acme_sva";

export const acme_mn_ops: mmu_notifier_ops = {
  ...ref,
  release(mn) {
    const ctx = container_of<acme_ctx>(mn);
    if (ctx.invalid) return;
    ctx.iommu.unbind(ctx.pasid);
    ctx.invalid = true;
  },
};
