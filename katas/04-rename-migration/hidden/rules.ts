/** Hidden tests, kata 04-rename-migration: the post-rename ops table, atomic context, cost. */
import { defineSuite, hex, runScenarioStraight, straightWithWork, buildScenario, acmeDriver, require_, GenericIommu, SLEEP_RULES, type RenameMigrationModule } from "tlbkata";

export default defineSuite<RenameMigrationModule>("rules", [
  {
    name: "the ops table builds against the post-rename struct and registers (no -EINVAL)",
    points: 2,
    grades: [],
    run(impl) {
      const w = buildScenario("reclaim", acmeDriver(impl), { grades: [] });
      const v = w.setupViolations[0];
      require_(!v, `binding failed: ${v?.message}`);
    },
  },
  {
    name: "invalidate_secondary_tlbs is what the core calls, and no start/end callback",
    points: 1,
    grades: [],
    run(impl) {
      const w = runScenarioStraight("munmap", acmeDriver(impl), { grades: [] });
      const c = w.k.mn.calls;
      require_(c.invalidate_secondary_tlbs > 0, "invalidate_secondary_tlbs was never called");
      require_(c.invalidate_range_start + c.invalidate_range_end === 0, `the core called ${c.invalidate_range_start} invalidate_range_start and ${c.invalidate_range_end} invalidate_range_end: a secondary-TLB driver has neither`);
    },
  },
  {
    name: "no sleeping under the page-table lock: COW, reclaim and hugetlb COW, run straight",
    points: 2,
    grades: SLEEP_RULES,
    run(impl) {
      for (const s of ["cow", "reclaim", "hugetlb-cow"]) straightWithWork(s, acmeDriver(impl), { grades: SLEEP_RULES });
    },
  },
  {
    name: "one range invalidation and one wait per notification, no whole-PASID flushes",
    points: 1,
    grades: [],
    run(impl) {
      const w = runScenarioStraight("reclaim", acmeDriver(impl), { grades: [] });
      const io = w.k.iommus[0] as GenericIommu;
      const n = w.k.mn.calls.invalidate_secondary_tlbs;
      const c = io.cost;
      require_((c["inv_pasid"] ?? 0) === 0 && (c["inv_page"] ?? 0) === 0, `reclaim of one page sent ${c["inv_pasid"] ?? 0} whole-PASID and ${c["inv_page"] ?? 0} per-page invalidations: the range is one inv_range`);
      require_((c["inv_range"] ?? 0) === n && (c["sync"] ?? 0) === n, `${n} notification(s) sent ${c["inv_range"] ?? 0} inv_range and ${c["sync"] ?? 0} sync: expected one of each per notification`);
    },
  },
  {
    name: "the range and nothing more: a translation outside [start, end) stays cached",
    points: 1,
    grades: [],
    run(impl) {
      // munmap of two pages at 2 GiB; the device also read the VMA's last page, which stays mapped.
      const w = runScenarioStraight("munmap-above-2g", acmeDriver(impl), { grades: [] });
      const outside = 3 * 2 ** 30 - 4096;
      const pasid = w.k.mms[0]!.pasid;
      const kept = w.k.iommus[0]!.caches().some((c) => c.lookup(pasid, outside) !== null);
      require_(kept, `munmap of [0x80000000, 0x80002000) also dropped the IOTLB's translation of ${hex(outside)}, which is still mapped: invalidate_secondary_tlbs must invalidate [start, end), not more (README: one range invalidation per notification)`);
    },
  },
]);
