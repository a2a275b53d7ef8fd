/** Hidden tests, kata 04-call-sites: every interleaving of each path racing the device. */
import { defineSuite, expectCoherent, eagerSvaDriver, callSiteScenario, COHERENCE_RULES, type CallSitesModule, type CallSiteScenarioName } from "tlbkata";

const on = (scenario: CallSiteScenarioName, points: number, what: string) => ({
  name: `${scenario}: ${what}`,
  points,
  grades: COHERENCE_RULES,
  run: (impl: CallSitesModule) => expectCoherent(callSiteScenario(scenario, impl.call_sites), eagerSvaDriver(), { grades: COHERENCE_RULES }),
});

export default defineSuite<CallSitesModule>("coherence", [
  on("reclaim-swap", 2, "try_to_unmap_one puts a swap entry in the PTE, then the page is written out and freed"),
  on("reclaim-lazyfree", 2, "try_to_unmap_one drops a clean lazy-free page: the next access maps a zero page"),
  on("reclaim-redirtied", 1, "try_to_unmap_one puts the PTE of a redirtied lazy-free page back"),
  on("migration", 2, "try_to_migrate_one: the page moves to a new frame; the device must be clean before the copy"),
  on("hugetlb-wp", 2, "hugetlb_wp replaces a 2 MiB page by its copy while the device reads pieces 3 and 300"),
  on("mkclean", 1, "page_vma_mkclean_one write-protects a dirty page"),
  on("mprotect", 1, "change_pte_range write-protects two pages"),
  on("hugetlb-unshare", 1, "hugetlb_unshare_pmds drops a shared PMD table"),
]);
