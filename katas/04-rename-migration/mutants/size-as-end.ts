// Wrong: passes the size (end - start) where inv_range takes the end, as for an API that takes (start, size) like arm_smmu_tlb_inv_range_asid: the command covers nothing of the range.
import { container_of, type mmu_notifier_ops, type acme_ctx } from "tlbkata";
import { acme_mn_ops as ref } from "../../../solutions/04-rename-migration/acme_sva";

export const acme_mn_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const ctx = container_of<acme_ctx>(mn);
    ctx.iommu.inv_range(ctx.pasid, start, end - start);
    ctx.iommu.sync();
  },
};
