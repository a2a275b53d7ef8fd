/** Hidden tests, kata 08: coherence on the standard scenarios the driver handles, every interleaving. */
import { defineSuite, coherenceCase, ocxlDriver, type OcxlModule, type ScenarioOptions } from "tlbkata";

const on = (scenario: string, points: number, what: string, opts: ScenarioOptions = {}) =>
  coherenceCase(scenario, points, what, (impl: OcxlModule) => ocxlDriver(impl), opts);

// Not here: exit (the driver has no release op, see README.md) and (0, ULONG_MAX)
// ranges (one ATSD per page of the whole address space is this driver's known
// weakness). The 4 MiB range of mprotect-huge is in hardware.ts.
export default defineSuite<OcxlModule>("coherence", [
  on("munmap", 2, "the mmu_gather batch fills and frees pages mid-unmap"),
  on("reclaim", 1, "try_to_unmap_one replaces the PTE with a swap entry"),
  on("migration", 1, "try_to_migrate_one installs a migration entry"),
  on("cow", 2, "wp_page_copy points the PTE at a new page"),
  on("mprotect", 1, "change_protection removes write permission from two pages"),
  on("mkclean", 1, "writeback write-protects a dirty page"),
  on("thp-split", 2, "a 2 MiB translation must go when the PMD is split and a page of it unmapped"),
  on("hugetlb-cow", 1, "hugetlb_wp breaks COW on a 2 MiB page: every 4 KiB page of it is shot down"),
  on("cow", 1, "with the v6.6 notifier model (called from the TLB flush)", { kernel: { arch: { notifierModel: "v6.6" } } }),
  on("munmap", 1, "on arm64 with the v6.6 notifier model", { kernel: { arch: { arch: "arm64", notifierModel: "v6.6" } } }),
]);
