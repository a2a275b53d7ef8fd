// Wrong: computes the page count as (end - start + PAGE_SIZE - 1) >> PAGE_SHIFT in 64-bit unsigned arithmetic, which wraps to 0 for x86's (0, ULONG_MAX) whole-mm flush: nothing is invalidated (Intel's v6.6 bug, fixed by e7ad6c2a4b1a "iommu/vt-d: Fix incorrect cache invalidation for mm notification").
import { container_of, PAGE_SIZE, type mmu_notifier_ops, type acme_ctx } from "tlbkata";
import { acme_mn_ops as ref } from "../../../solutions/04-rename-migration/acme_sva";

export const acme_mn_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const ctx = container_of<acme_ctx>(mn);
    const pages = Number(BigInt.asUintN(64, BigInt(end) - BigInt(start) + BigInt(PAGE_SIZE - 1)) >> 12n);
    ctx.iommu.inv_range(ctx.pasid, start, start + pages * PAGE_SIZE);
    ctx.iommu.sync();
  },
};
