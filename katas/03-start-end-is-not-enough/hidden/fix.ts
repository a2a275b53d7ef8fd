/** Hidden tests, kata 03: the fixed driver, every interleaving, every rule on. */
import { defineSuite, coherenceCase, accelDriver, accelMunmapScenario, expectCoherent, require_, COHERENCE_RULES, type AccelModule, type ScenarioRef } from "tlbkata";

const on = (scenario: ScenarioRef, points: number, what: string) =>
  coherenceCase(scenario, points, what, (impl: AccelModule) => accelDriver(impl.accel_mn_ops));

export default defineSuite<AccelModule>("fix", [
  on(accelMunmapScenario, 2, "the hunt's scenario, with the stale-TLB rules back on"),
  on("munmap", 1, "the batch fills and frees pages mid-unmap"),
  on("cow", 1, "wp_page_copy points A at a new page"),
  on("reclaim", 1, "try_to_unmap_one replaces the PTE with a swap entry"),
  on("migration", 1, "try_to_migrate_one installs a migration entry"),
  on("mprotect", 1, "change_protection removes write permission"),
  on("munmap-above-4g", 1, "addresses above 4 GiB: unsigned long is 64 bits"),
  on("reclaim-whole-mm", 1, "x86 in v6.6 tells secondary TLBs (0, ULONG_MAX): the whole address space"),
  {
    // The shipped driver's release is already right: it counts once the flush has moved.
    name: "exit: the fixed driver's release runs before the pages are freed",
    points: 1,
    grades: COHERENCE_RULES,
    run(impl) {
      const ops = impl.accel_mn_ops;
      require_(
        typeof ops.invalidate_secondary_tlbs === "function" && !ops.invalidate_range_start && !ops.invalidate_range_end,
        "not counted yet: accel_mn_ops still keeps the device TLB with invalidate_range_start/end; release is graded once the flush is in invalidate_secondary_tlbs (README.md, \"The fix\")",
      );
      expectCoherent("exit", accelDriver(ops), { grades: COHERENCE_RULES });
    },
  },
]);
