/**
 * Hidden tests, kata 07: the whole-address-space flushes of the merged v6.6 kernel on
 * x86, which notifies (0, -1UL) for any flush above tlb_single_page_flush_ceiling (33)
 * pages, for flush_tlb_mm (fork) and for batched reclaim. v6.6's driver turned that range into a page
 * count of 0 and invalidated nothing (fixed in v6.7-rc by e7ad6c2a4b1a).
 */
import { defineSuite, expectCoherent, runScenarioStraight, intelSvmDriver, require_, IntelIommu, COHERENCE_RULES, type IntelSvmModule, type KernelOptions, type RuleId } from "tlbkata";
import { reclaimBatched } from "../scenarios";

/** Coherence, and the soft lockup of a per-page loop over (0, -1UL). */
const grades: RuleId[] = [...COHERENCE_RULES, "invalidation-flood"];

const X86_V66: KernelOptions = { arch: { arch: "x86", notifierModel: "v6.6" } };

export default defineSuite<IntelSvmModule>("whole-mm", [
  {
    name: "x86 with the v6.6 model, fork: flush_tlb_mm asks for (0, -1UL) and the device loses write permission to the COW page, on every interleaving",
    points: 2,
    grades,
    run: (impl) => expectCoherent("fork", intelSvmDriver(impl), { kernel: X86_V66, grades }),
  },
  {
    name: "x86 with the v6.6 model, batched reclaim: arch_tlbbatch_add_pending asks for (0, -1UL) under the ptl, and the page's translation is gone when the ptl is released, on every interleaving",
    points: 1,
    grades,
    run: (impl) => expectCoherent(reclaimBatched, intelSvmDriver(impl), { kernel: X86_V66, grades }),
  },
  {
    name: "x86 with the v6.6 model, mprotect of 1024 pages (more than 33): (0, -1UL) is a whole-PASID flush per device, and coherent",
    points: 2,
    grades,
    run(impl) {
      const w = runScenarioStraight("mprotect-huge", intelSvmDriver(impl), { kernel: X86_V66, grades });
      const io = w.k.iommus[0] as IntelIommu;
      const all = io.cost["p_iotlb_inv_dsc (all of PASID)"] ?? 0;
      require_(all >= 1, "x86 flushed the whole mm and the notifier got (0, -1UL), but no whole-PASID p_iotlb_inv_dsc was sent: computed in unsigned long, (end - start + PAGE_SIZE - 1) >> VTD_PAGE_SHIFT is 0 pages for that range");
      expectCoherent("mprotect-huge", intelSvmDriver(impl), { kernel: X86_V66, grades });
    },
  },
]);
