/**
 * Kata 06: the ARM SMMUv3 SVA driver's mmu_notifier
 * (drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-sva.c).
 *
 * Fill in the three functions marked TODO. Read README.md first; run the visible
 * tests with `npx tlbkata check 06` (or the check cell in notebook 06).
 */
import {
  mn_to_smmu,
  mm_get_pasid,
  kfree,
  quiet_cd,
  sva_lock,
  arm_smmu_tlb_inv_asid,
  arm_smmu_tlb_inv_range_asid,
  arm_smmu_atc_inv_domain,
  arm_smmu_write_ctx_desc,
  ARM_SMMU_FEAT_BTM,
  ARM_SMMU_FEAT_RANGE_INV,
  CMDQ_MAX_TLBI_OPS,
  PAGE_SIZE,
  ULONG,
  ULONG_MAX_UL,
  ul_sub,
  type unsigned_long,
  type mm_struct,
  type mmu_notifier,
  type mmu_notifier_ops,
} from "tlbkata";

/**
 * invalidate_secondary_tlbs: [start, end) of `mm` lost its translation (or its write
 * permission). Often runs under the page-table lock: no sleeping. When it returns, neither
 * the SMMU TLB nor any ATC may hold a translation for the range.
 */
export function arm_smmu_mm_invalidate_range(mn: mmu_notifier, mm: mm_struct, start: number, end: number): void {
  const smmu_mn = mn_to_smmu(mn);
  const smmu_domain = smmu_mn.domain;
  const smmu = smmu_domain.smmu;
  // start, end and size are unsigned long / size_t in the kernel: compute on these, with
  // ul_sub() and friends (README.md, "Addresses are 64 bits"), not on the numbers.
  const iova: unsigned_long = ULONG(start);
  let size: unsigned_long = ul_sub(ULONG(end), iova);
  // TODO: the SMMU TLB (tagged by smmu_mn.cd.asid): per address, or the whole ASID for
  //       huge ranges, and not at all when smmu.features has ARM_SMMU_FEAT_BTM.
  // TODO: the ATCs (tagged by the PASID, mm_get_pasid(mm)): always.
}

/**
 * release: `mm` is exiting, but the device may still be doing DMA. Make the context
 * fault quietly and forget everything cached from it. May sleep.
 */
export function arm_smmu_mm_release(mn: mmu_notifier, mm: mm_struct): void {
  const smmu_mn = mn_to_smmu(mn);
  // TODO: see README.md, "release".
}

/** free_notifier: the last reference to the notifier is gone. Free its structure. */
export function arm_smmu_mmu_notifier_free(mn: mmu_notifier): void {
  // TODO
}

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  name: "arm_smmu_v3_sva",
  invalidate_secondary_tlbs: arm_smmu_mm_invalidate_range,
  release: arm_smmu_mm_release,
  free_notifier: arm_smmu_mmu_notifier_free,
};
