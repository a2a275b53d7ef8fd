/** Hidden tests, kata 06: the commands the driver sends, as arm-smmu-v3-sva.c sends them. */
import {
  defineSuite,
  runScenarioStraight,
  armSmmuV3SvaDriver,
  require_,
  baseScenario,
  addDevice,
  addKernelThread,
  faultInPage,
  page,
  mprotectProgram,
  CMDQ_MAX_TLBI_OPS,
  type ArmSmmuV3,
  type ArmSmmuV3SvaModule,
  type ArmSmmuDriverOptions,
  type KernelOptions,
  type Scenario,
  type RuleId,
} from "tlbkata";

/** The command counts are these tests' own; of the oracle's rules only the soft lockup of a flood. */
const COUNTS: RuleId[] = ["invalidation-flood"];

const ARM64_V66: KernelOptions = { arch: { arch: "arm64", notifierModel: "v6.6" } };

/**
 * mprotect(PROT_READ) of exactly CMDQ_MAX_TLBI_OPS pages (A, B and the last one in use,
 * so that the mmu_gather's flush, which the RFC notifies too, spans them all).
 */
const mprotectThreshold: Scenario = {
  name: "mprotect-512",
  summary: "mprotect(PROT_READ) of CMDQ_MAX_TLBI_OPS pages while a device writes two of them",
  build(driver, kernel) {
    const p = baseScenario(driver, { pages: 2, spare: CMDQ_MAX_TLBI_OPS - 2, kernel });
    p.w.setup(() => void faultInPage(p.w.k, p.mm, page(CMDQ_MAX_TLBI_OPS - 1)));
    addDevice(p, [
      { op: "write", addr: page(0), name: "A" },
      { op: "write", addr: page(1), name: "B" },
    ]);
    addKernelThread(p, "mprotect", mprotectProgram(p.w.k, p.vma, page(0), page(CMDQ_MAX_TLBI_OPS)));
    return p.w;
  },
};

function commands(impl: ArmSmmuV3SvaModule, scenario: string | Scenario, hw: ArmSmmuDriverOptions = {}, kernel: KernelOptions = {}): Record<string, number> {
  // Commands are counted here; a stale entry is the coherence tests' to report.
  const w = runScenarioStraight(scenario, armSmmuV3SvaDriver(impl, "arm", "", hw), { kernel, grades: COUNTS });
  return (w.k.iommus[0] as ArmSmmuV3).cost;
}

const n = (c: Record<string, number>, kind: string): number => c[kind] ?? 0;
const tlbis = (c: Record<string, number>): number => n(c, "CMD_TLBI_NH_VA") + n(c, "CMD_TLBI_NH_VA (range)") + n(c, "CMD_TLBI_NH_ASID");

export default defineSuite<ArmSmmuV3SvaModule>("hardware", [
  {
    name: "a one-page range costs TLBIs by VA and a ranged ATC invalidation, not whole-ASID or whole-ATC ones",
    points: 2,
    grades: COUNTS,
    run(impl) {
      const c = commands(impl, "reclaim");
      require_(n(c, "CMD_TLBI_NH_VA") >= 1, `reclaim of one page sent no CMD_TLBI_NH_VA: without BTM the SMMU TLB is invalidated by address (arm_smmu_tlb_inv_range_asid)`);
      require_(n(c, "CMD_TLBI_NH_ASID") === 0, `reclaim of one page sent ${n(c, "CMD_TLBI_NH_ASID")} CMD_TLBI_NH_ASID: a small range is invalidated page by page; dropping the whole ASID throws the device's working set away`);
      require_(n(c, "CMD_ATC_INV") >= 1, `reclaim of one page sent no ranged CMD_ATC_INV: the ATC is invalidated for the range (arm_smmu_atc_inv_domain with start and size)`);
      require_(n(c, "CMD_ATC_INV (all)") === 0, `reclaim of one page invalidated the whole ATC: pass the range, not size 0`);
    },
  },
  {
    name: "a 1024-page range (no RANGE_INV) costs one CMD_TLBI_NH_ASID, not 1024 CMD_TLBI_NH_VA",
    points: 2,
    grades: COUNTS,
    run(impl) {
      const c = commands(impl, "mprotect-huge");
      require_(n(c, "CMD_TLBI_NH_ASID") >= 1, `a 1024-page range sent no CMD_TLBI_NH_ASID: from CMDQ_MAX_TLBI_OPS (${CMDQ_MAX_TLBI_OPS}) pages, invalidate the whole ASID`);
      require_(n(c, "CMD_TLBI_NH_VA") === 0, `a 1024-page range sent ${n(c, "CMD_TLBI_NH_VA")} CMD_TLBI_NH_VA: one CMD_TLBI_NH_ASID replaces them`);
    },
  },
  {
    name: "exactly CMDQ_MAX_TLBI_OPS pages is already a whole-ASID invalidation",
    points: 1,
    grades: COUNTS,
    run(impl) {
      const c = commands(impl, mprotectThreshold);
      require_(n(c, "CMD_TLBI_NH_ASID") >= 1 && n(c, "CMD_TLBI_NH_VA") === 0, `a range of exactly ${CMDQ_MAX_TLBI_OPS} pages sent ${n(c, "CMD_TLBI_NH_VA")} CMD_TLBI_NH_VA and ${n(c, "CMD_TLBI_NH_ASID")} CMD_TLBI_NH_ASID: the range "reaches" CMDQ_MAX_TLBI_OPS pages (>=), so it is one ASID-wide TLBI`);
    },
  },
  {
    name: "arm64 with the v6.6 model: (0, ULONG_MAX) is one whole-ASID TLBI, not a soft lockup",
    points: 2,
    grades: COUNTS,
    run(impl) {
      // Run straight: one flood is enough for the watchdog, and cheaper to find than by exploring.
      const w = runScenarioStraight("mprotect-huge", armSmmuV3SvaDriver(impl), { kernel: ARM64_V66, grades: COUNTS });
      const c = (w.k.iommus[0] as ArmSmmuV3).cost;
      require_(n(c, "CMD_TLBI_NH_ASID") >= 1, "an invalidation of (0, ULONG_MAX) sent no CMD_TLBI_NH_ASID: the whole address space is the whole ASID");
    },
  },
  {
    name: "with RANGE_INV a 1024-page range is a range TLBI, not a whole-ASID one",
    points: 1,
    grades: COUNTS,
    run(impl) {
      const c = commands(impl, "mprotect-huge", { rangeInv: true });
      require_(n(c, "CMD_TLBI_NH_VA (range)") >= 1 && n(c, "CMD_TLBI_NH_ASID") === 0, `with ARM_SMMU_FEAT_RANGE_INV a 1024-page range sent ${n(c, "CMD_TLBI_NH_VA (range)")} range TLBI(s) and ${n(c, "CMD_TLBI_NH_ASID")} CMD_TLBI_NH_ASID: range invalidation covers it in one command; only (0, ULONG_MAX) becomes ASID-wide`);
      require_(tlbis(c) <= 2, `with ARM_SMMU_FEAT_RANGE_INV a 1024-page range cost ${tlbis(c)} TLBI commands`);
    },
  },
  {
    name: "with RANGE_INV, (0, ULONG_MAX) is one CMD_TLBI_NH_ASID",
    points: 1,
    grades: COUNTS,
    run(impl) {
      const c = commands(impl, "mprotect-huge", { rangeInv: true }, ARM64_V66);
      require_(n(c, "CMD_TLBI_NH_ASID") >= 1, `with ARM_SMMU_FEAT_RANGE_INV an invalidation of (0, ULONG_MAX) sent no CMD_TLBI_NH_ASID: the whole address space is the whole ASID (size == ULONG_MAX)`);
      require_(n(c, "CMD_TLBI_NH_VA (range)") <= 1, `with ARM_SMMU_FEAT_RANGE_INV an invalidation of (0, ULONG_MAX) was split into range TLBIs (${n(c, "CMD_TLBI_NH_VA (range)")} in all): one CMD_TLBI_NH_ASID does it`);
    },
  },
  {
    name: "with BTM the SMMU TLB needs no TLBI command, the ATC still needs CMD_ATC_INV",
    points: 1,
    grades: COUNTS,
    run(impl) {
      const c = commands(impl, "munmap", { btm: true });
      require_(tlbis(c) === 0, `with ARM_SMMU_FEAT_BTM the driver sent ${tlbis(c)} TLBI command(s): the SMMU already snooped the CPU's broadcast TLBIs for this ASID`);
      require_(n(c, "CMD_ATC_INV") + n(c, "CMD_ATC_INV (all)") >= 1, `with ARM_SMMU_FEAT_BTM the driver sent no CMD_ATC_INV: BTM does not reach the device's ATC`);
    },
  },
]);
