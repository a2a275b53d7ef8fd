// Wrong: queues its own TLBI and ATC_INV commands but never issues CMD_SYNC, so they may still be pending when it returns.
import { mn_to_smmu, mm_get_pasid, arm_smmu_atc_inv_to_cmd, CMDQ_OP_TLBI_NH_ASID, CMDQ_OP_ATC_INV, type mmu_notifier_ops } from "tlbkata";
import { arm_smmu_mmu_notifier_ops as ref } from "../../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";

export const arm_smmu_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm) {
    const smmu_mn = mn_to_smmu(mn);
    const smmu = smmu_mn.domain.smmu;
    smmu.arm_smmu_cmdq_issue_cmd({ opcode: CMDQ_OP_TLBI_NH_ASID, tlbi: { asid: smmu_mn.cd.asid } });
    smmu.arm_smmu_cmdq_issue_cmd({ opcode: CMDQ_OP_ATC_INV, atc: { sid: smmu.sid, ...arm_smmu_atc_inv_to_cmd(mm_get_pasid(mm), 0n, 0n) } });
  },
};
