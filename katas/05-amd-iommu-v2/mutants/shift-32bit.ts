// Wrong: compares page numbers start >> PAGE_SHIFT and (end - 1) >> PAGE_SHIFT on the callback's JS numbers: >> works on 32 bits, so two pages 4 GiB apart have the same "page number" and a 4 GiB + 4 KiB range is flushed as one page.
import { container_of, PAGE_SHIFT, ULONG, type mmu_notifier_ops, type pasid_state } from "tlbkata";
import { amd_iommu_flush_page, amd_iommu_flush_tlb, iommu_mn as ref } from "../../../solutions/05-amd-iommu-v2/amd_iommu_v2";

export const iommu_mn: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const ps = container_of<pasid_state>(mn);
    if (start >> PAGE_SHIFT === (end - 1) >> PAGE_SHIFT) amd_iommu_flush_page(ps.device_state, ps.pasid, ULONG(start));
    else amd_iommu_flush_tlb(ps.device_state, ps.pasid);
  },
};
