// Wrong: keeps the addresses in 32 bits (a u32 in C, `>>> 0` here): above 4 GiB the command invalidates a low address instead of the range.
import { container_of, type mmu_notifier_ops, type acme_ctx } from "tlbkata";
import { acme_mn_ops as ref } from "../../../solutions/04-rename-migration/acme_sva";

export const acme_mn_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const ctx = container_of<acme_ctx>(mn);
    ctx.iommu.inv_range(ctx.pasid, start >>> 0, end >>> 0);
    ctx.iommu.sync();
  },
};
