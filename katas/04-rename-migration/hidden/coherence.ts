/** Hidden tests, kata 04-rename-migration: coherence on the standard scenarios, every interleaving. */
import { defineSuite, coherenceCase, acmeDriver, type RenameMigrationModule, type ArchOptions } from "tlbkata";

const on = (scenario: string, points: number, what: string, arch: Partial<ArchOptions> = {}) =>
  coherenceCase(scenario, points, what, (impl: RenameMigrationModule) => acmeDriver(impl), { kernel: { arch } });

export default defineSuite<RenameMigrationModule>("coherence", [
  on("munmap", 2, "pages freed mid-unmap, before range_end"),
  on("reclaim", 1, "try_to_unmap_one: the old page must be gone from the IOTLB when the ptl is released"),
  on("migration", 1, "try_to_migrate_one"),
  on("cow", 2, "wp_page_copy: the device must not read the old page once other threads write the new one"),
  on("mprotect", 1, "change_protection: write permission gone by range_end"),
  on("mkclean", 1, "writeback write-protects a dirty page"),
  on("hugetlb-cow", 1, "a 2 MiB page"),
  on("exit", 1, "release, then the pages are freed"),
  on("cow", 1, "the v6.6 model: called from the architecture's TLB flush", { notifierModel: "v6.6" }),
  on("munmap-above-4g", 1, "addresses above 4 GiB: unsigned long is 64 bits"),
  on("reclaim-whole-mm", 1, "x86 in v6.6 tells secondary TLBs (0, ULONG_MAX): the whole address space, whatever the arithmetic"),
]);
