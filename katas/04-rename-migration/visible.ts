/**
 * Visible tests for kata 04-rename-migration: run them with
 * `npx tlbkata check 04-rename-migration`.
 */
import { defineSuite, runScenarioStraight, expectCoherent, acmeDriver, require_, type RenameMigrationModule } from "tlbkata";

export default defineSuite<RenameMigrationModule>("visible", [
  {
    name: "reclaim, run straight: the driver binds, and invalidate_secondary_tlbs empties the IOTLB under the ptl",
    points: 1,
    run(impl) {
      const w = runScenarioStraight("reclaim", acmeDriver(impl));
      require_(w.k.mn.calls.invalidate_secondary_tlbs > 0, "invalidate_secondary_tlbs was never called");
    },
  },
  {
    name: "munmap, every interleaving: no IOTLB entry survives until its page is freed",
    points: 1,
    run: (impl) => expectCoherent("munmap", acmeDriver(impl)),
  },
  {
    name: "page migration, run straight: no rule broken (in the RFC its secondary flush comes from invalidate_range_end)",
    points: 1,
    run: (impl) => void runScenarioStraight("migration", acmeDriver(impl)),
  },
]);
