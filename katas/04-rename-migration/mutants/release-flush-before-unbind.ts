// Wrong: release flushes the PASID and only then clears its entry (unbind): between the two the device walks the dying mm's page table again and refills (the order AMD's unbind and Intel's intel_pasid_tear_down_entry keep: cut off, then flush).
import { container_of, type mmu_notifier_ops, type acme_ctx } from "tlbkata";
import { acme_mn_ops as ref } from "../../../solutions/04-rename-migration/acme_sva";

export const acme_mn_ops: mmu_notifier_ops = {
  ...ref,
  release(mn) {
    const ctx = container_of<acme_ctx>(mn);
    if (ctx.invalid) return;
    ctx.iommu.inv_pasid(ctx.pasid);
    ctx.iommu.sync();
    ctx.iommu.unbind(ctx.pasid);
    ctx.invalid = true;
  },
};
