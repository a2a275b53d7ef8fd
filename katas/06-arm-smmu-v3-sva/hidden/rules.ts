/** Hidden tests, kata 06: the notifier's rules (atomic context, registration, release, free_notifier). */
import { defineSuite, doesNotSleepUnderPtl, straightWithWork, SLEEP_RULES, COHERENCE_RULES, callsInvalidateSecondaryTlbs, runScenarioStraight, armSmmuV3SvaDriver, armSmmuSvaUnbindProgram, kmemleak_scan, require_, baseScenario, addDevice, addKernelThread, exitProgram, page, type ArmSmmuV3, type ArmSmmuV3SvaModule, type Scenario } from "tlbkata";

/** The process exits first; its device's DMA arrives after release. */
const exitThenDma: Scenario = {
  name: "exit-then-dma",
  summary: "the process exits, then its device, still running, reads and writes its memory",
  build(driver, kernel) {
    const p = baseScenario(driver, { pages: 2, kernel });
    addKernelThread(p, "exit", exitProgram(p.w.k, p.mm, 2));
    addDevice(p, [
      { op: "read", addr: page(0), name: "A" },
      { op: "write", addr: page(1), name: "B" },
    ]);
    return p.w;
  },
};

/** The device works, then the process exits and the device driver unbinds (or unbinds first). */
function teardown(unbindFirst: boolean): Scenario {
  return {
    name: unbindFirst ? "unbind-then-exit" : "exit-then-unbind",
    summary: unbindFirst ? "the device driver unbinds the mm, then the process exits" : "the process exits, then the device driver unbinds the mm",
    build(driver, kernel) {
      const p = baseScenario(driver, { pages: 2, kernel });
      addDevice(p, [
        { op: "read", addr: page(0), name: "A" },
        { op: "write", addr: page(1), name: "B" },
      ]);
      const exit = () => addKernelThread(p, "exit", exitProgram(p.w.k, p.mm, 2));
      const unbind = () => addKernelThread(p, "unbind", armSmmuSvaUnbindProgram(p.w.k, p.iommu, p.mm));
      if (unbindFirst) (unbind(), exit());
      else (exit(), unbind());
      return p.w;
    },
  };
}

export default defineSuite<ArmSmmuV3SvaModule>("rules", [
  callsInvalidateSecondaryTlbs(armSmmuV3SvaDriver),
  doesNotSleepUnderPtl(armSmmuV3SvaDriver),
  {
    // hugetlb_wp clears and flushes a 2 MiB page (CMDQ_MAX_TLBI_OPS pages) under the ptl: the whole-ASID path runs in atomic context too.
    name: "the whole-ASID path neither sleeps nor returns holding a lock either (hugetlb_wp flushes 2 MiB under the ptl)",
    points: 1,
    grades: SLEEP_RULES,
    run: (impl) => void straightWithWork("hugetlb-cow", armSmmuV3SvaDriver(impl), { grades: SLEEP_RULES }),
  },
  {
    name: "release leaves no translation of the exiting mm in the SMMU TLB or the ATC",
    points: 1,
    grades: COHERENCE_RULES,
    run(impl) {
      const w = runScenarioStraight("exit", armSmmuV3SvaDriver(impl, "arm", "", { btm: true }), { grades: COHERENCE_RULES });
      const left = w.k.iommus[0]!.caches().reduce((n, c) => n + [...c.entries()].length, 0);
      require_(left === 0, `after exit, ${left} translation(s) of the dead mm are still cached: release invalidates the whole ASID and every ATC entry of the PASID`);
    },
  },
  {
    name: "after release, DMA still in flight is aborted quietly: the CD stays valid (quiet_cd), no C_BAD_CD events",
    points: 1,
    grades: COHERENCE_RULES,
    run(impl) {
      const w = runScenarioStraight(exitThenDma, armSmmuV3SvaDriver(impl), { grades: COHERENCE_RULES });
      const smmu = w.k.iommus[0] as ArmSmmuV3;
      require_(smmu.events("C_BAD_CD") === 0, `the device's DMA after exit raised ${smmu.events("C_BAD_CD")} C_BAD_CD event(s): release installs quiet_cd, which keeps the CD valid and makes walks fail silently, instead of clearing it`);
      require_(smmu.liveCd(w.k.mms[0]!.pasid).epd0, "after release the PASID's CD still lets the SMMU walk the dying mm's page table: install quiet_cd (arm_smmu_write_ctx_desc)");
    },
  },
  {
    name: "unbind after release does not invalidate again (smmu_mn->cleared)",
    points: 1,
    grades: COHERENCE_RULES,
    run(impl) {
      const flushes = (s: string | Scenario): number => {
        const c = (runScenarioStraight(s, armSmmuV3SvaDriver(impl), { grades: COHERENCE_RULES }).k.iommus[0] as ArmSmmuV3).cost;
        return (c["CMD_TLBI_NH_ASID"] ?? 0) + (c["CMD_ATC_INV (all)"] ?? 0);
      };
      const exitOnly = flushes("exit");
      const withUnbind = flushes(teardown(false));
      require_(withUnbind === exitOnly, `exit then unbind sent ${withUnbind} whole-ASID/whole-PASID invalidations, exit alone ${exitOnly}: release sets smmu_mn->cleared after flushing, so unbind has nothing left to flush`);
    },
  },
  {
    name: "free_notifier frees the arm_smmu_mmu_notifier, once: nothing leaks whether unbind comes before or after exit",
    points: 2,
    grades: COHERENCE_RULES,
    run(impl) {
      for (const first of [false, true]) {
        const s = teardown(first);
        const w = runScenarioStraight(s, armSmmuV3SvaDriver(impl), { grades: COHERENCE_RULES });
        const leaked = kmemleak_scan(w.k);
        require_(leaked.length === 0, `${s.name}: kmemleak: unreferenced object(s) ${leaked.join(", ")}: free_notifier must kfree() the structure the notifier is embedded in`);
      }
    },
  },
]);
