/**
 * Kata 06, reference solution: the ARM SMMUv3 SVA driver's mmu_notifier.
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
 * invalidate_secondary_tlbs: [start, end) of mm lost its translation. May run under the ptl (most call sites hold it): never sleep.
 * The size, the thresholds and the helpers' arguments are unsigned long / size_t, as in
 * v6.6:drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-sva.c:212-232.
 */
export function arm_smmu_mm_invalidate_range(mn: mmu_notifier, mm: mm_struct, start: number, end: number): void {
  const smmu_mn = mn_to_smmu(mn);
  const smmu_domain = smmu_mn.domain;
  const smmu = smmu_domain.smmu;
  const iova = ULONG(start);
  // mm ranges end after their last byte; the IOMMU helpers take a size.
  let size: unsigned_long = ul_sub(ULONG(end), iova);
  // size 0 below means "everything": one command instead of a flood of them.
  if (!(smmu.features & ARM_SMMU_FEAT_RANGE_INV)) {
    if (size >= ULONG(CMDQ_MAX_TLBI_OPS * PAGE_SIZE)) size = 0n;
  } else if (size === ULONG_MAX_UL) {
    size = 0n;
  }
  // With BTM the SMMU TLB already saw the CPU's own TLBI for this range.
  if (!(smmu.features & ARM_SMMU_FEAT_BTM)) {
    if (size === 0n) arm_smmu_tlb_inv_asid(smmu, smmu_mn.cd.asid);
    else arm_smmu_tlb_inv_range_asid(iova, size, smmu_mn.cd.asid, PAGE_SIZE, false, smmu_domain);
  }
  // BTM never reaches the devices' ATCs.
  arm_smmu_atc_inv_domain(smmu_domain, mm_get_pasid(mm), iova, size);
}

/** release: mm is exiting, but DMA may still be in flight. */
export function arm_smmu_mm_release(mn: mmu_notifier, mm: mm_struct): void {
  const smmu_mn = mn_to_smmu(mn);
  const smmu_domain = smmu_mn.domain;
  sva_lock.mutex_lock();
  if (!smmu_mn.cleared) {
    // Keep the CD valid (no C_BAD_CD events) but stop all walks: new DMA faults quietly.
    arm_smmu_write_ctx_desc(smmu_domain, mm_get_pasid(mm), quiet_cd);
    arm_smmu_tlb_inv_asid(smmu_domain.smmu, smmu_mn.cd.asid);
    arm_smmu_atc_inv_domain(smmu_domain, mm_get_pasid(mm), 0n, 0n);
    smmu_mn.cleared = true;
  }
  sva_lock.mutex_unlock();
}

/** free_notifier: the last reference is gone (after an SRCU grace period). */
export function arm_smmu_mmu_notifier_free(mn: mmu_notifier): void {
  kfree(mn_to_smmu(mn));
}

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  name: "arm_smmu_v3_sva",
  invalidate_secondary_tlbs: arm_smmu_mm_invalidate_range,
  release: arm_smmu_mm_release,
  free_notifier: arm_smmu_mmu_notifier_free,
};
