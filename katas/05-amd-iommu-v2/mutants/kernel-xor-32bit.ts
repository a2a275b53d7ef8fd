// Wrong: writes the kernel's one-page test (start ^ (end - 1)) < PAGE_SIZE on the callback's JS numbers instead of unsigned longs: JavaScript's ^ works on 32 bits, so a range of 4 GiB + 4 KiB, or (0, ULONG_MAX), looks like one page.
import { container_of, PAGE_SIZE, ULONG, type mmu_notifier_ops, type pasid_state } from "tlbkata";
import { amd_iommu_flush_page, amd_iommu_flush_tlb, iommu_mn as ref } from "../../../solutions/05-amd-iommu-v2/amd_iommu_v2";

export const iommu_mn: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const ps = container_of<pasid_state>(mn);
    if ((start ^ (end - 1)) < PAGE_SIZE) amd_iommu_flush_page(ps.device_state, ps.pasid, ULONG(start));
    else amd_iommu_flush_tlb(ps.device_state, ps.pasid);
  },
};
