/** Hidden tests, kata 07: random ranges, identifiers, ATS, cap_max_amask_val and cache contents (fast-check, fixed seed). */
import { defineSuite, invalidationProperty, fc, intelSvmDriver, PAGE_SIZE, ULONG_MAX, type IntelSvmModule } from "tlbkata";

interface Hw {
  readonly ats: boolean;
  /** cap_max_amask_val: the largest AM the unit accepts. */
  readonly mamv: number;
}

/**
 * Descriptors one call may send (README rule 5): for (0, ULONG_MAX), or a block above
 * cap_max_amask_val, the whole PASID; otherwise aligned power-of-two blocks, no more than
 * the hardware tests allow (2 per order of the page count), each an IOTLB descriptor and,
 * with ATS, a device-TLB one; a wait after each (qi_submit_sync) at most.
 */
function budget(start: number, end: number, hw: Hw): number {
  const per = hw.ats ? 4 : 2;
  if (end >= ULONG_MAX) return per;
  const pages = Math.ceil((end - start) / PAGE_SIZE);
  return Math.max(per, per * 2 * (Math.ceil(Math.log2(pages)) + 1));
}

export default defineSuite<IntelSvmModule>("property", [
  invalidationProperty<IntelSvmModule, Hw>({
    name: "any range, 64-bit edges included, with or without ATS, under any cap_max_amask_val: after the callback neither the IOTLB nor the device-TLB holds the range, the other PASID keeps its entries, a few descriptors per call",
    points: 2,
    seed: 0x5a3d07,
    numRuns: 40,
    hw: fc.record({ ats: fc.boolean(), mamv: fc.integer({ min: 0, max: 18 }) }),
    driver: (impl, hw) => intelSvmDriver(impl, "intel", "", hw),
    describeHw: (hw) => `ATS ${hw.ats ? "on" : "off"}, cap_max_amask_val ${hw.mamv}`,
    budget: (start, end, hw) => ({
      max: budget(start, end, hw),
      why: "a range is a couple of naturally aligned blocks (an IOTLB descriptor and, with ATS, a device-TLB one each), the whole PASID for (0, ULONG_MAX) or past cap_max_amask_val, then a wait (README rules 3 and 5)",
    }),
  }),
]);
