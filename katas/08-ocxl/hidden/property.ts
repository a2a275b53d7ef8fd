/** Hidden tests, kata 08: random ranges, PIDs and AFU cache contents, two processes on one link (fast-check, fixed seed). */
import { defineSuite, invalidationProperty, fc, ocxlDriver, PAGE_SIZE, type OcxlModule } from "tlbkata";

export default defineSuite<OcxlModule>("property", [
  invalidationProperty<OcxlModule, null>({
    name: "any range of up to 1024 pages, 64-bit edges included, two processes on one link: after the callback the AFU holds nothing of the range, the other PID keeps its entries, one shootdown per page",
    points: 2,
    seed: 0x5a3d08,
    numRuns: 40,
    // One shootdown per page: (0, ULONG_MAX) and ranges past 65536 pages are this driver's known weakness (README).
    ranges: { maxPages: 1024, wholeMm: false },
    hw: fc.constant(null),
    driver: (impl) => ocxlDriver(impl),
    describeHw: () => "the link shared with a second process",
    budget: (start, end) => ({
      max: Math.ceil((end - start) / PAGE_SIZE),
      why: "one ATSD per page of the range, nothing else (README rule 5)",
    }),
  }),
]);
