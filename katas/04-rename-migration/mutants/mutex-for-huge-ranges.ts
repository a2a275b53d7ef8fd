// Wrong: for a range of 2 MiB or more it takes ctx->lock (a mutex) around a whole-PASID flush: a sleeping lock on a rare path, under the page-table lock when hugetlb COW notifies its 2 MiB page.
import { container_of, PMD_SIZE, type mmu_notifier_ops, type acme_ctx } from "tlbkata";
import { acme_mn_ops as ref } from "../../../solutions/04-rename-migration/acme_sva";

export const acme_mn_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const ctx = container_of<acme_ctx>(mn);
    if (end - start < PMD_SIZE) return ref.invalidate_secondary_tlbs!(mn, mm, start, end);
    ctx.lock.mutex_lock();
    ctx.iommu.inv_pasid(ctx.pasid);
    ctx.iommu.sync();
    ctx.lock.mutex_unlock();
  },
};
