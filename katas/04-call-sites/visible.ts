/**
 * Visible tests for kata 04-call-sites: `npx tlbkata check 04-call-sites`. Each runs
 * one path with your call sites, with a device on the same pages.
 */
import { defineSuite, expectCoherent, runScenarioStraight, eagerSvaDriver, callSiteScenario, emptyCallSiteCosts, require_, type CallSitesModule } from "tlbkata";

export default defineSuite<CallSitesModule>("visible", [
  {
    name: "reclaim to swap (try_to_unmap_one), every interleaving: the device never uses the page after its PTE is gone",
    points: 1,
    run: (impl) => expectCoherent(callSiteScenario("reclaim-swap", impl.call_sites), eagerSvaDriver()),
  },
  {
    name: "hugetlb COW (hugetlb_wp), run straight: no 4 KiB piece of the old 2 MiB page survives the ptl",
    points: 1,
    run: (impl) => void runScenarioStraight(callSiteScenario("hugetlb-wp", impl.call_sites), eagerSvaDriver()),
  },
  {
    name: "writeback (page_vma_mkclean_one), run straight: no extra invalidation, range_end flushes the device",
    points: 1,
    run(impl) {
      const costs = emptyCallSiteCosts();
      runScenarioStraight(callSiteScenario("mkclean", impl.call_sites, costs), eagerSvaDriver());
      const c = costs.page_vma_mkclean_one;
      require_(c.notifications === 0, `page_vma_mkclean_one sent ${c.notifications} invalidation(s) (${c.commands} IOMMU commands) under the ptl: write-protecting the same page may wait for invalidate_range_end`);
    },
  },
]);
