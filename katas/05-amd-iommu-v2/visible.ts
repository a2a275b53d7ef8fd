/**
 * Visible tests for kata 05: run them with `npx tlbkata check 05`. Each runs a
 * scenario with your driver and fails with the rule the oracle saw broken.
 */
import { defineSuite, runScenarioStraight, expectCoherent, costCase, describeCost, amdIommuV2Driver, type AmdIommuV2Module } from "tlbkata";

export default defineSuite<AmdIommuV2Module>("visible", [
  {
    name: "reclaim, run straight: the page's translation is gone from both IOTLBs when the ptl is released",
    points: 1,
    run: (impl) => void runScenarioStraight("reclaim", amdIommuV2Driver(impl)),
  },
  {
    name: "munmap, every interleaving: no IOTLB entry survives until its page is freed",
    points: 1,
    run: (impl) => expectCoherent("munmap", amdIommuV2Driver(impl)),
  },
  {
    name: "exit, run straight: after release the device can reach nothing of the mm",
    points: 1,
    run: (impl) => void runScenarioStraight("exit", amdIommuV2Driver(impl)),
  },
  {
    name: "munmap of [4 GiB, 8 GiB + 4 KiB), run straight: a range wider than 32 bits leaves nothing of it cached (README, Addresses are unsigned long)",
    points: 1,
    run: (impl) => void runScenarioStraight("munmap-4g-span", amdIommuV2Driver(impl)),
  },
  // One cheap cost check: a loop over the pages of a 4 MiB range must not look like a pass.
  costCase("mprotect-huge", 1, "a 1024-page range costs a few commands per call, not one per page", amdIommuV2Driver, ({ commands, total, calls }) =>
    total <= 8 * Math.max(calls, 1)
      ? null
      : `mprotect of 1024 pages: ${calls} call(s) of invalidate_secondary_tlbs sent ${describeCost(commands)}: a range of more than one page is one whole-PASID flush (amd_iommu_flush_tlb), not one command per page (rule 4 of the README)`,
  ),
]);
