/** Hidden tests, kata 05: coherence on the standard scenarios of each kernel path, every interleaving. */
import { defineSuite, coherenceCase, amdIommuV2Driver, type AmdIommuV2Module, type ScenarioOptions } from "tlbkata";

const on = (scenario: string, points: number, what: string, opts: ScenarioOptions = {}, ats = true) =>
  coherenceCase(scenario, points, what, (impl: AmdIommuV2Module) => amdIommuV2Driver(impl, "amd", "", { ats }), opts);

export default defineSuite<AmdIommuV2Module>("coherence", [
  on("munmap", 2, "the mmu_gather batch fills and frees pages mid-unmap"),
  on("reclaim", 1, "try_to_unmap_one replaces the PTE with a swap entry"),
  on("migration", 1, "try_to_migrate_one installs a migration entry"),
  on("cow", 2, "wp_page_copy points the PTE at a new page"),
  on("mprotect", 1, "change_protection removes write permission"),
  on("mkclean", 1, "writeback write-protects a dirty page"),
  on("thp-split", 2, "a 2 MiB translation must go when the PMD is split"),
  on("hugetlb-cow", 1, "hugetlb_wp breaks COW on a 2 MiB page"),
  on("exit", 2, "release runs before the pages are freed"),
  on("munmap", 1, "without ATS (no device IOTLB)", {}, false),
  on("cow", 1, "with the v6.6 notifier model (called from the TLB flush)", { kernel: { arch: { notifierModel: "v6.6" } } }),
  on("munmap-above-2g", 1, "addresses are unsigned long: a page at 2 GiB is flushed at its own address"),
  on("munmap-above-4g", 1, "addresses are unsigned long: a page above 4 GiB is flushed at its own address, high bits and all"),
]);
