// Wrong: invalidates one page at start, as if every call were for one PTE: munmap's batched flush covers several pages.
import { container_of, PAGE_SIZE, type mmu_notifier_ops, type acme_ctx } from "tlbkata";
import { acme_mn_ops as ref } from "../../../solutions/04-rename-migration/acme_sva";

export const acme_mn_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start) {
    const ctx = container_of<acme_ctx>(mn);
    ctx.iommu.inv_range(ctx.pasid, start, start + PAGE_SIZE);
    ctx.iommu.sync();
  },
};
