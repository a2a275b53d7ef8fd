/** Hidden tests, kata 04-range-end: flushes counted against the kernel's core. */
import { defineSuite, runScenarioStraight, probeDriver, rangeEndKernel, require_, type RangeEndModule, type KernelOptions } from "tlbkata";

function counts(scenario: string, kernel: KernelOptions) {
  const probe = probeDriver();
  runScenarioStraight(scenario, probe, { kernel, grades: [] });
  return probe.calls;
}

const same = (scenario: string, points: number, what: string) => ({
  name: `${scenario}: ${what}`,
  points,
  grades: [],
  run(impl: RangeEndModule) {
    const want = counts(scenario, {});
    const got = counts(scenario, rangeEndKernel(impl));
    require_(got.device === want.device, `${scenario}: the device's invalidate_secondary_tlbs was called ${got.device} time(s); the kernel's core calls it ${want.device} time(s)`);
    require_(got.idle === want.idle, `${scenario}: a second device's notifier was called ${got.idle} time(s); the kernel's core calls it ${want.idle} time(s)`);
  },
});

export default defineSuite<RangeEndModule>("efficiency", [
  same("cow", 2, "wp_page_copy ends with only_end: ptep_clear_flush_notify already flushed, no second flush"),
  same("thp-split", 2, "__split_huge_pmd ends with only_end: no flush of a range whose translations are still right"),
  same("mprotect", 1, "range_end flushes each subscription exactly once"),
  same("munmap", 1, "munmap: one flush per gathered batch, one at range_end"),
]);
