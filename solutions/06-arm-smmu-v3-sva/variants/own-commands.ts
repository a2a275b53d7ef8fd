/**
 * Kata 06, a correct solution written differently: it builds its own commands
 * (per-page TLBIs, ATC invalidations per master) and waits for all of them with one
 * CMD_SYNC per cache, the SMMU TLB before the ATCs (an ATC cleaned first could refill
 * from the SMMU TLB), and decides "whole address space" once up front. Range TLBIs it
 * leaves to the core helper.
 */
import {
  container_of,
  kfree,
  quiet_cd,
  mm_get_pasid,
  sva_lock,
  arm_smmu_atc_inv_to_cmd,
  arm_smmu_tlb_inv_range_asid,
  arm_smmu_write_ctx_desc,
  ARM_SMMU_FEAT_ATS,
  ARM_SMMU_FEAT_BTM,
  ARM_SMMU_FEAT_RANGE_INV,
  CMDQ_MAX_TLBI_OPS,
  CMDQ_OP_ATC_INV,
  CMDQ_OP_TLBI_NH_ASID,
  CMDQ_OP_TLBI_NH_VA,
  PAGE_SIZE,
  PAGE_SHIFT,
  ULONG,
  ULONG_MAX_UL,
  ul_add,
  ul_sub,
  ul_shl,
  ul_shr,
  type unsigned_long,
  type arm_smmu_domain,
  type arm_smmu_mmu_notifier,
  type mmu_notifier_ops,
} from "tlbkata";

/** Queue ATC invalidations of [start, start + size) (size 0: all) for every ATS master. */
function queue_atc_inv(d: arm_smmu_domain, ssid: number, start: unsigned_long, size: unsigned_long): void {
  if (!(d.smmu.features & ARM_SMMU_FEAT_ATS)) return;
  const inv = arm_smmu_atc_inv_to_cmd(ssid, start, size);
  for (const m of d.devices.filter((x) => x.ats_enabled)) {
    for (const sid of m.sids) d.smmu.arm_smmu_cmdq_issue_cmd({ opcode: CMDQ_OP_ATC_INV, atc: { ...inv, sid } });
  }
}

function flush(smmu_mn: arm_smmu_mmu_notifier, ssid: number, start: unsigned_long, end: unsigned_long): void {
  const d = smmu_mn.domain;
  const smmu = d.smmu;
  const asid = smmu_mn.cd.asid;
  const size = ul_sub(end, start);
  // A page count, not a byte size, tested against the threshold: no wrap for (0, -1UL), 2^52 - 1 pages.
  const pages = ul_shr(size, PAGE_SHIFT);
  const whole = smmu.features & ARM_SMMU_FEAT_RANGE_INV ? size === ULONG_MAX_UL : pages >= ULONG(CMDQ_MAX_TLBI_OPS);
  if (smmu.features & ARM_SMMU_FEAT_BTM) {
    // The SMMU TLB followed the CPU's TLBIs; only the ATCs are left.
  } else if (whole) {
    smmu.arm_smmu_cmdq_issue_cmd({ opcode: CMDQ_OP_TLBI_NH_ASID, tlbi: { asid } });
    smmu.arm_smmu_cmdq_issue_sync();
  } else if (smmu.features & ARM_SMMU_FEAT_RANGE_INV) {
    arm_smmu_tlb_inv_range_asid(start, size, asid, PAGE_SIZE, false, d);
  } else {
    for (let i = 0n; i < pages; i++) smmu.arm_smmu_cmdq_issue_cmd({ opcode: CMDQ_OP_TLBI_NH_VA, tlbi: { asid, addr: ul_add(start, ul_shl(i, PAGE_SHIFT)), leaf: false } });
    smmu.arm_smmu_cmdq_issue_sync();
  }
  queue_atc_inv(d, ssid, start, whole ? 0n : size);
  smmu.arm_smmu_cmdq_issue_sync();
}

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  name: "arm_smmu_v3_sva (variant)",
  invalidate_secondary_tlbs(mn, mm, start, end) {
    flush(container_of<arm_smmu_mmu_notifier>(mn), mm_get_pasid(mm), ULONG(start), ULONG(end));
  },
  release(mn, mm) {
    const smmu_mn = container_of<arm_smmu_mmu_notifier>(mn);
    // No try/finally around the waits: a thread that blocks on CMD_SYNC stops mid-step
    // and resumes later, and a finally block would drop the mutex in between.
    sva_lock.mutex_lock();
    if (!smmu_mn.cleared) {
      const ssid = mm_get_pasid(mm);
      const smmu = smmu_mn.domain.smmu;
      arm_smmu_write_ctx_desc(smmu_mn.domain, ssid, quiet_cd);
      // Whatever BTM does, release drops the whole ASID, then the whole PASID from the ATCs.
      smmu.arm_smmu_cmdq_issue_cmd({ opcode: CMDQ_OP_TLBI_NH_ASID, tlbi: { asid: smmu_mn.cd.asid } });
      smmu.arm_smmu_cmdq_issue_sync();
      queue_atc_inv(smmu_mn.domain, ssid, 0n, 0n);
      smmu.arm_smmu_cmdq_issue_sync();
      smmu_mn.cleared = true;
    }
    sva_lock.mutex_unlock();
  },
  free_notifier: (mn) => kfree(container_of<arm_smmu_mmu_notifier>(mn)),
};
