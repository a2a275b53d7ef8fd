/**
 * Hidden tests, kata 04-call-sites: each path run once (straight), counting the
 * invalidations and IOMMU commands each call site issued under the ptl.
 */
import {
  defineSuite,
  runScenarioStraight,
  eagerSvaDriver,
  callSiteScenario,
  emptyCallSiteCosts,
  require_,
  hex,
  BASE,
  PAGE_SIZE,
  PMD_SIZE,
  type CallSitesModule,
  type CallSiteScenarioName,
  type CallSiteName,
} from "tlbkata";

function costOf(impl: CallSitesModule, scenario: CallSiteScenarioName, site: CallSiteName) {
  const costs = emptyCallSiteCosts();
  // Counted only: what a missing notification leaves stale is the coherence tests' to say.
  runScenarioStraight(callSiteScenario(scenario, impl.call_sites, costs), eagerSvaDriver(), { grades: [] });
  const c = costs[site];
  require_(c.calls === 1, `${scenario}: the ${site} call site was reached ${c.calls} times, expected once`);
  return c;
}

const ranges = (rs: readonly [number, number][]): string => (rs.length ? rs.map(([s, e]) => `[${hex(s)}, ${hex(e)})`).join(", ") : "nothing");

/** A site that must notify: exactly one invalidation of what changed. */
const needed = (scenario: CallSiteScenarioName, site: CallSiteName, start: number, size: number, what: string) => ({
  name: `${scenario}: ${site} sends one invalidation of ${what}`,
  points: 1,
  grades: [],
  run(impl: CallSitesModule) {
    const c = costOf(impl, scenario, site);
    const ok = c.notifications === 1 && c.ranges.length === 1 && c.ranges[0]![0] === start && c.ranges[0]![1] === start + size;
    require_(ok, `${scenario}: ${site} notified ${ranges(c.ranges)} (${c.notifications} driver call(s), ${c.commands} IOMMU commands); expected exactly [${hex(start)}, ${hex(start + size)}) once`);
  },
});

/** A site that may leave it to range_end: nothing under the ptl. */
const deferred = (scenario: CallSiteScenarioName, site: CallSiteName, why: string) => ({
  name: `${scenario}: ${site} sends nothing under the ptl (${why})`,
  points: 1,
  grades: [],
  run(impl: CallSitesModule) {
    const c = costOf(impl, scenario, site);
    require_(
      c.notifications === 0 && c.commands === 0,
      `${scenario}: ${site} sent ${c.notifications} invalidation(s), ${c.commands} IOMMU command(s) (${ranges(c.ranges)}): ${why}, so invalidate_range_end is enough`,
    );
  },
});

export default defineSuite<CallSitesModule>("efficiency", [
  needed("reclaim-swap", "try_to_unmap_one", BASE, PAGE_SIZE, "the page"),
  needed("reclaim-lazyfree", "try_to_unmap_one", BASE, PAGE_SIZE, "the page"),
  deferred("reclaim-redirtied", "try_to_unmap_one", "the PTE was put back: same page, same permissions"),
  deferred("migration", "try_to_migrate_one", "the PTE is a migration entry: faulting CPUs wait, and the copy comes after range_end"),
  needed("hugetlb-wp", "hugetlb_wp", BASE, PMD_SIZE, "the whole 2 MiB page"),
  deferred("mkclean", "page_vma_mkclean_one", "write-protecting the same page"),
  deferred("mprotect", "change_pte_range", "write-protecting the same pages"),
  deferred("hugetlb-unshare", "hugetlb_unshare_pmds", "the hugetlb pages stay where they are"),
]);
