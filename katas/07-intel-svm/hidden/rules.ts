/** Hidden tests, kata 07: the notifier's rules (atomic context, RCU, registration, release). */
import { defineSuite, runScenarioStraight, intelSvmDriver, require_, IntelIommu, type IntelSvmModule } from "tlbkata";
import { exitThenDma, twoDevices } from "../scenarios";

export default defineSuite<IntelSvmModule>("rules", [
  {
    name: "binding registers an ops table with invalidate_secondary_tlbs only, and it is called",
    points: 1,
    run(impl) {
      const w = runScenarioStraight("reclaim", intelSvmDriver(impl));
      require_(w.k.mn.calls.invalidate_secondary_tlbs > 0, "invalidate_secondary_tlbs was never called: the ops table must provide it");
    },
  },
  {
    name: "invalidate_secondary_tlbs neither sleeps nor returns holding a lock (it runs under the ptl)",
    points: 1,
    run: (impl) => void runScenarioStraight("migration", intelSvmDriver(impl)),
  },
  {
    name: "svm->devs is walked inside rcu_read_lock, also when called from invalidate_range_end (no ptl held)",
    points: 1,
    run: (impl) => void runScenarioStraight("mprotect", intelSvmDriver(impl)),
  },
  {
    name: "release tears down the PASID entry on every unit and leaves nothing of the mm cached",
    points: 2,
    run(impl) {
      const w = runScenarioStraight(twoDevices, intelSvmDriver(impl));
      // twoDevices ends with the mm alive; exit it by hand through the core.
      w.setup(() => w.k.mn.__mmu_notifier_release(w.k.mms[0]!));
      const v = w.setupViolations[0];
      require_(!v, `release: [${v?.rule}] ${v?.message}`);
      for (const io of w.k.iommus as IntelIommu[]) {
        require_(!io.pasid_entry_present(1), `after release the PASID entry on ${io.name} is still present: the unit can still walk the dying mm's page table (intel_pasid_tear_down_entry)`);
        const left = io.caches().reduce((n, c) => n + [...c.entries()].length, 0);
        require_(left === 0, `after release ${left} translation(s) are still cached behind ${io.name}`);
      }
    },
  },
  {
    name: "release suppresses fault reporting: DMA after exit faults quietly (FPD)",
    points: 1,
    run(impl) {
      const w = runScenarioStraight(exitThenDma, intelSvmDriver(impl));
      const io = w.k.iommus[0] as IntelIommu;
      require_(!io.pasid_entry_present(1), "after exit the PASID entry is still present");
      require_(io.faultsReported === 0, `the device's DMA after exit made the unit report ${io.faultsReported} DMAR fault(s): tear the entry down with fault_ignore, so that it gets fault-processing-disable`);
    },
  },
]);
