/** Hidden tests, kata 07: the notifier's rules (atomic context, RCU, registration, release). */
import { defineSuite, doesNotSleepUnderPtl, callsInvalidateSecondaryTlbs, runScenarioStraight, straightWithWork, intelSvmDriver, require_, IntelIommu, type IntelSvmModule, type RuleId } from "tlbkata";

const RCU: RuleId[] = ["rcu-not-held"];
import { exitThenDma, twoDevices } from "../scenarios";

export default defineSuite<IntelSvmModule>("rules", [
  callsInvalidateSecondaryTlbs(intelSvmDriver),
  doesNotSleepUnderPtl(intelSvmDriver),
  {
    name: "svm->devs is walked inside rcu_read_lock: by invalidate_secondary_tlbs, also from invalidate_range_end (no ptl held), and by release",
    points: 1,
    grades: RCU,
    run(impl) {
      straightWithWork("mprotect", intelSvmDriver(impl), { grades: RCU });
      runScenarioStraight("exit", intelSvmDriver(impl), { grades: RCU });
    },
  },
  {
    name: "release tears down the PASID entry on every unit and leaves nothing of the mm cached",
    points: 2,
    grades: [],
    run(impl) {
      const w = runScenarioStraight(twoDevices, intelSvmDriver(impl), { grades: [] });
      // twoDevices ends with the mm alive; exit it by hand through the core.
      w.setup(() => w.k.mn.__mmu_notifier_release(w.k.mms[0]!));
      const v = w.setupViolations[0];
      require_(!v, `release: [${v?.rule}] ${v?.message}`);
      for (const io of w.k.iommus as IntelIommu[]) {
        require_(!io.pasid_entry_present(w.k.mms[0]!.pasid), `after release the PASID entry on ${io.name} is still present: the unit can still walk the dying mm's page table (intel_pasid_tear_down_entry)`);
        const left = io.caches().reduce((n, c) => n + [...c.entries()].length, 0);
        require_(left === 0, `after release ${left} translation(s) are still cached behind ${io.name}`);
      }
    },
  },
  {
    name: "release suppresses fault reporting: DMA after exit faults quietly (FPD)",
    points: 1,
    grades: [],
    run(impl) {
      const w = runScenarioStraight(exitThenDma, intelSvmDriver(impl), { grades: [] });
      const io = w.k.iommus[0] as IntelIommu;
      require_(!io.pasid_entry_present(w.k.mms[0]!.pasid), "after exit the PASID entry is still present");
      require_(io.faultsReported === 0, `the device's DMA after exit made the unit report ${io.faultsReported} DMAR fault(s): tear the entry down with fault_ignore, so that it gets fault-processing-disable`);
    },
  },
]);
