/**
 * Visible tests for kata 07: run them with `npx tlbkata check 07`. Each runs a
 * scenario with your driver and fails with the rule the oracle saw broken.
 */
import { defineSuite, runScenarioStraight, expectCoherent, costCase, describeCost, intelSvmDriver, type IntelSvmModule } from "tlbkata";
import { munmapUnaligned } from "./scenarios";

export default defineSuite<IntelSvmModule>("visible", [
  {
    name: "reclaim, run straight: the page's translation is gone from the IOTLB and the device-TLB when the ptl is released",
    points: 1,
    run: (impl) => void runScenarioStraight("reclaim", intelSvmDriver(impl)),
  },
  {
    name: "munmap, every interleaving: no translation survives until its page is freed",
    points: 1,
    run: (impl) => expectCoherent("munmap", intelSvmDriver(impl)),
  },
  {
    name: "munmap of three pages from an odd page, run straight: the unaligned range is covered",
    points: 1,
    run: (impl) => void runScenarioStraight(munmapUnaligned, intelSvmDriver(impl)),
  },
  {
    name: "exit, run straight: after release the device can reach nothing of the mm",
    points: 1,
    run: (impl) => void runScenarioStraight("exit", intelSvmDriver(impl)),
  },
  // One cheap cost check: a loop over the pages of a 4 MiB range must not look like a pass.
  costCase("mprotect-huge", 1, "a 1024-page range costs a few descriptors per call, not one per page", intelSvmDriver, ({ commands, total, calls }) =>
    total <= 6 * Math.max(calls, 1)
      ? null
      : `mprotect of 1024 pages: ${calls} call(s) of invalidate_secondary_tlbs sent ${describeCost(commands)}: a naturally aligned power-of-two block (address mask AM) covers the range in one descriptor per cache, not one per page`,
  ),
]);
