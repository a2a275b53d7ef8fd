/** Visible tests for kata 03: `npx tlbkata check 03-start-end-is-not-enough`. */
import { defineSuite, huntAccel, shippedAccelOps, traceToText, KataFailure, require_, ACCEL_PAGES, BASE, PAGE_SIZE, type AccelModule } from "tlbkata";

export default defineSuite<AccelModule>("visible", [
  {
    name: "diagnosis: the page the device corrupted memory through",
    points: 1,
    run(impl) {
      const cx = huntAccel(shippedAccelOps)!;
      const want = ACCEL_PAGES[Math.floor((cx.violation.address! - BASE) / PAGE_SIZE)];
      require_(impl.diagnosis.page === want, `diagnosis.page is ${JSON.stringify(impl.diagnosis.page)}: look at the last step of the trace, the device access that broke a rule`);
    },
  },
  {
    name: "the hunt on your driver: no interleaving of accel-munmap lets the device touch memory it no longer owns",
    points: 1,
    run(impl) {
      const cx = huntAccel(impl.accel_mn_ops);
      if (cx) throw new KataFailure(`[${cx.violation.rule}] ${cx.violation.message}\n${traceToText(cx.trace)}`, cx.violation.rule, cx.trace);
    },
  },
]);
