/**
 * Visible tests for kata 08: run them with `npx tlbkata check 08`. Each runs a
 * scenario with your driver and fails with the rule the oracle saw broken.
 */
import { defineSuite, runScenarioStraight, expectCoherent, costCase, describeCost, ocxlDriver, ocxlSharedLinkScenario, type OcxlModule } from "tlbkata";

export default defineSuite<OcxlModule>("visible", [
  {
    name: "reclaim, run straight: the page's translation is gone from the AFU when the ptl is released",
    points: 1,
    run: (impl) => void runScenarioStraight("reclaim", ocxlDriver(impl)),
  },
  {
    name: "munmap, every interleaving: no AFU translation survives until its page is freed",
    points: 1,
    run: (impl) => expectCoherent("munmap", ocxlDriver(impl)),
  },
  {
    name: "two processes on one link, run straight: both shootdowns go through the shared registers under atsd_lock",
    points: 1,
    run: (impl) => void runScenarioStraight(ocxlSharedLinkScenario, ocxlDriver(impl)),
  },
  // One cheap cost check: the ATSDs a 4 MiB range costs. link.c loops page by page, so
  // the right count is one 4 KiB shootdown per page per call: wider or fewer is wrong.
  costCase("mprotect-huge", 1, "a 1024-page range launches one 4 KiB shootdown per page, no whole-PID ones", ocxlDriver, ({ commands, calls }) =>
    commands["ATSD 4K"] === 1024 * calls && Object.keys(commands).length === 1
      ? null
      : `mprotect of 1024 pages: ${calls} call(s) of invalidate_secondary_tlbs launched ${describeCost(commands)}: each page of the range is one ATSD, scope XTS_ATSD_IS_VA, page size 4 KiB (XTS_ATSD_AP_4K)`,
  ),
]);
