/**
 * Visible tests for kata 04-clear-flush-notify: `npx tlbkata check 04-clear-flush-notify`.
 * Each runs a scenario with your helpers in the kernel and fails with the rule the
 * oracle saw broken.
 */
import { defineSuite, runScenarioStraight, expectCoherent, eagerSvaDriver, clearFlushKernel, fileThpSplitScenario, type ClearFlushNotifyModule } from "tlbkata";

export default defineSuite<ClearFlushNotifyModule>("visible", [
  {
    name: "COW break (wp_page_copy), run straight: the device's translation of the old page is gone when the ptl is released",
    points: 1,
    run: (impl) => void runScenarioStraight("cow", eagerSvaDriver(), { kernel: clearFlushKernel(impl) }),
  },
  {
    name: "munmap, every interleaving: no TLB maps a page when the full batch is freed",
    points: 1,
    run: (impl) => expectCoherent("munmap", eagerSvaDriver(), { kernel: clearFlushKernel(impl) }),
  },
  {
    name: "file THP split at an unaligned address, run straight: no 4 KiB piece of the 2 MiB page survives until truncate frees it",
    points: 1,
    run: (impl) => void runScenarioStraight(fileThpSplitScenario, eagerSvaDriver(), { kernel: clearFlushKernel(impl) }),
  },
]);
