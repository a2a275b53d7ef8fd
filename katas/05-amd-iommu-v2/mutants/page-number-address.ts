// Wrong: passes the page number (start >> PAGE_SHIFT) where the command wants a byte address: the one-page flush hits some other page.
import { container_of, PAGE_SIZE, PAGE_SHIFT, ULONG, ul_sub, ul_shr, type mmu_notifier_ops, type pasid_state } from "tlbkata";
import { amd_iommu_flush_page, amd_iommu_flush_tlb, iommu_mn as ref } from "../../../solutions/05-amd-iommu-v2/amd_iommu_v2";

export const iommu_mn: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const ps = container_of<pasid_state>(mn);
    const s = ULONG(start);
    if ((s ^ ul_sub(ULONG(end), 1n)) < ULONG(PAGE_SIZE)) amd_iommu_flush_page(ps.device_state, ps.pasid, ul_shr(s, PAGE_SHIFT));
    else amd_iommu_flush_tlb(ps.device_state, ps.pasid);
  },
};
