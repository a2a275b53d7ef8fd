// Wrong: aligns the address with start & ~(PAGE_SIZE - 1) on the callback's JS number before ULONG(): JavaScript's & works on 32 bits, so above 2 GiB the address comes out negative (0xffff_ffff_8000_xxxx once converted, as C would sign-extend it) and above 4 GiB it loses its high bits.
import { container_of, PAGE_SIZE, ULONG, ul_sub, type mmu_notifier_ops, type pasid_state } from "tlbkata";
import { amd_iommu_flush_page, amd_iommu_flush_tlb, iommu_mn as ref } from "../../../solutions/05-amd-iommu-v2/amd_iommu_v2";

export const iommu_mn: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, _mm, start, end) {
    const ps = container_of<pasid_state>(mn);
    if ((ULONG(start) ^ ul_sub(ULONG(end), 1n)) < ULONG(PAGE_SIZE)) amd_iommu_flush_page(ps.device_state, ps.pasid, ULONG(start & ~(PAGE_SIZE - 1)));
    else amd_iommu_flush_tlb(ps.device_state, ps.pasid);
  },
};
