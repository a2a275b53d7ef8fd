// Wrong: its own per-page loop stops one page early, so the last page of every range stays in the SMMU TLB.
import { mn_to_smmu, mm_get_pasid, arm_smmu_tlb_inv_asid, arm_smmu_atc_inv_domain, ARM_SMMU_FEAT_BTM, CMDQ_MAX_TLBI_OPS, PAGE_SIZE, ULONG, ul_sub, ul_add, CMDQ_OP_TLBI_NH_VA, type mmu_notifier_ops } from "tlbkata";
import { arm_smmu_mmu_notifier_ops as ref } from "../../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const smmu_mn = mn_to_smmu(mn);
    const smmu_domain = smmu_mn.domain;
    const smmu = smmu_domain.smmu;
    const iova = ULONG(start);
    const e = ULONG(end);
    const huge = ul_sub(e, iova) >= ULONG(CMDQ_MAX_TLBI_OPS * PAGE_SIZE);
    if (!(smmu.features & ARM_SMMU_FEAT_BTM)) {
      if (huge) {
        arm_smmu_tlb_inv_asid(smmu, smmu_mn.cd.asid);
      } else {
        for (let a = iova; ul_add(a, ULONG(PAGE_SIZE)) < e; a = ul_add(a, ULONG(PAGE_SIZE))) smmu.arm_smmu_cmdq_issue_cmd({ opcode: CMDQ_OP_TLBI_NH_VA, tlbi: { asid: smmu_mn.cd.asid, addr: a } });
        smmu.arm_smmu_cmdq_issue_sync();
      }
    }
    arm_smmu_atc_inv_domain(smmu_domain, mm_get_pasid(mm), iova, huge ? 0n : ul_sub(e, iova));
  },
};
