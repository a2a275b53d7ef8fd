/**
 * Hidden tests, kata 04-clear-flush-notify: the helpers run inside the caller's
 * page-table lock and must leave it exactly as they found it (README rule 3).
 */
import { defineSuite, runScenarioStraight, eagerSvaDriver, clearFlushKernel, fileThpSplitScenario, type ClearFlushNotifyModule, type RuleId } from "tlbkata";

/** What a helper can get wrong about a lock its caller already holds. */
const PTL_RULES: readonly RuleId[] = ["lock-recursion", "unlock-not-held", "lock-held-on-return", "sleep-in-atomic", "lock-order-inversion"];

export default defineSuite<ClearFlushNotifyModule>("locking", [
  {
    name: "the helpers run under the caller's ptl and leave it held: they neither take it again nor sleep (COW, munmap, THP split)",
    points: 1,
    grades: PTL_RULES,
    run(impl) {
      for (const s of ["cow", "munmap", fileThpSplitScenario]) runScenarioStraight(s, eagerSvaDriver(), { kernel: clearFlushKernel(impl), grades: PTL_RULES });
    },
  },
]);
