/** Hidden tests, kata 05: the commands the driver sends, as iommu_v2 sends them. */
import { defineSuite, runScenarioStraight, expectCoherent, amdIommuV2Driver, require_, AmdIommu, COHERENCE_RULES, type AmdIommuV2Module, type RuleId } from "tlbkata";

/** The command counts are these tests' own; of the oracle's rules only the soft lockup of a flood. */
const COUNTS: RuleId[] = ["invalidation-flood"];

function commands(impl: AmdIommuV2Module, scenario: string, kernel = {}, ats = true): Record<string, number> {
  // Commands are counted here; a stale entry is the coherence tests' to report.
  const w = runScenarioStraight(scenario, amdIommuV2Driver(impl, "amd", undefined, { ats }), { kernel, grades: COUNTS });
  const io = w.k.iommus[0] as AmdIommu;
  return io.cost;
}

export default defineSuite<AmdIommuV2Module>("hardware", [
  {
    name: "a one-page range is flushed as one page, in the IOMMU and the device IOTLB, not as the whole PASID",
    points: 2,
    grades: COUNTS,
    run(impl) {
      const c = commands(impl, "reclaim");
      const page = c["INVALIDATE_IOMMU_PAGES"] ?? 0;
      const dev = c["INVALIDATE_IOTLB_PAGES"] ?? 0;
      const all = (c["INVALIDATE_IOMMU_PAGES (all pages)"] ?? 0) + (c["INVALIDATE_IOTLB_PAGES (all pages)"] ?? 0);
      require_(page >= 1 && dev >= 1, `reclaim of one page sent ${page} INVALIDATE_IOMMU_PAGES and ${dev} INVALIDATE_IOTLB_PAGES for a single page: expected at least one of each`);
      require_(all === 0, `reclaim of one page sent ${all} whole-PASID invalidation(s): a range within one page flushes just that page (amd_iommu_flush_page)`);
    },
  },
  {
    name: "a device without ATS gets no INVALIDATE_IOTLB_PAGES: it has no IOTLB of its own",
    points: 1,
    grades: COUNTS,
    run(impl) {
      for (const s of ["reclaim", "mprotect-huge"]) {
        const c = commands(impl, s, {}, false);
        const dev = (c["INVALIDATE_IOTLB_PAGES"] ?? 0) + (c["INVALIDATE_IOTLB_PAGES (all pages)"] ?? 0);
        require_((c["INVALIDATE_IOMMU_PAGES"] ?? 0) + (c["INVALIDATE_IOMMU_PAGES (all pages)"] ?? 0) >= 1, `${s} without ATS sent no INVALIDATE_IOMMU_PAGES: the IOMMU's IOTLB still needs its flush`);
        require_(dev === 0, `${s} with a device that does not use ATS sent ${dev} INVALIDATE_IOTLB_PAGES: only a device with ATS enabled (dev_state.ats_enabled) caches translations itself`);
      }
    },
  },
  {
    name: "a 4 MiB range is flushed with whole-PASID commands, not one command per page",
    points: 2,
    grades: COUNTS,
    run(impl) {
      const c = commands(impl, "mprotect-huge");
      const total = Object.values(c).reduce((a, b) => a + b, 0);
      const all = c["INVALIDATE_IOMMU_PAGES (all pages)"] ?? 0;
      require_(all >= 1, `a 1024-page range sent no whole-PASID INVALIDATE_IOMMU_PAGES: more than one page flushes the PASID (amd_iommu_flush_tlb)`);
      require_(total <= 8, `a 1024-page range cost ${total} commands: more than one page is one whole-PASID flush, not a loop`);
    },
  },
  {
    name: "arm64 with the v6.6 model: an invalidation of (0, ULONG_MAX) stays cheap and coherent",
    points: 1,
    grades: [...COHERENCE_RULES, ...COUNTS],
    run: (impl) => expectCoherent("mprotect-huge", amdIommuV2Driver(impl), { kernel: { arch: { arch: "arm64", notifierModel: "v6.6" } }, grades: [...COHERENCE_RULES, ...COUNTS] }),
  },
]);
