// Wrong: moved the old wait, mutex and all, into invalidate_secondary_tlbs: it sleeps under the page-table lock.
import { container_of, type mmu_notifier_ops, type acme_ctx } from "tlbkata";
import { acme_mn_ops as ref } from "../../../solutions/04-rename-migration/acme_sva";

export const acme_mn_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const ctx = container_of<acme_ctx>(mn);
    ctx.iommu.inv_range(ctx.pasid, start, end);
    ctx.lock.mutex_lock();
    ctx.iommu.sync();
    ctx.lock.mutex_unlock();
  },
};
