/**
 * Visible tests for kata 04-range-end: run them with `npx tlbkata check 04-range-end`.
 */
import { defineSuite, expectCoherent, runScenarioStraight, genericDrivers, probeDriver, rangeEndKernel, rangeEndCallsKernel, require_, type RangeEndModule, type KernelOptions } from "tlbkata";

const generic = () => genericDrivers.find((d) => d.name === "correct-generic")!;

/** invalidate_secondary_tlbs calls on the device over a straight run. */
function flushes(scenario: string, kernel: KernelOptions): number {
  const probe = probeDriver();
  runScenarioStraight(scenario, probe, { kernel });
  return probe.calls.device;
}

export default defineSuite<RangeEndModule>("visible", [
  {
    name: "mprotect, every interleaving, your mn_hlist_invalidate_end: write permission is gone from the IOTLB by range_end",
    points: 1,
    run: (impl) => expectCoherent("mprotect", generic(), { kernel: rangeEndKernel(impl) }),
  },
  {
    name: "cow, run straight, your mn_hlist_invalidate_end: only_end does not flush a second time",
    points: 1,
    run(impl) {
      const want = flushes("cow", {});
      const got = flushes("cow", rangeEndKernel(impl));
      require_(got === want, `the device's IOTLB was flushed ${got} time(s); the kernel flushes it ${want} time(s)`);
    },
  },
  {
    name: "cow, run straight, your range_end_calls: wp_page_copy flushes once",
    points: 1,
    run(impl) {
      const want = flushes("cow", {});
      const got = flushes("cow", rangeEndCallsKernel(impl));
      require_(got <= want, `with your choice for wp_page_copy the device's IOTLB was flushed ${got} time(s); ${want} is enough`);
    },
  },
]);
