/** Hidden tests, kata 02-notifier-core: SRCU, skipping users without the op, one call each, the right range. */
import { defineSuite, runScenarioStraight, probeDriver, notifierCoreKernel, findScenario, require_, type NotifierCoreModule, type Scenario } from "tlbkata";

/** munmap after one SRCU grace period at set-up: srcu_read_lock returns 1 from then on. */
const munmapAfterGracePeriod: Scenario = {
  name: "munmap after a grace period",
  summary: "munmap racing a device, once a grace period has flipped the SRCU index",
  build(driver, kernel) {
    const w = findScenario("munmap")!.build(driver, kernel);
    w.setup(() => w.k.mn.srcu.synchronize_srcu());
    return w;
  },
};

/** The probe's counters after a straight run, with your core or (impl null) the kernel's own. */
function counted(impl: NotifierCoreModule | null, scenario: string) {
  const probe = probeDriver();
  runScenarioStraight(scenario, probe, impl ? { kernel: notifierCoreKernel(impl) } : {});
  return { calls: probe.calls, kvm: probe.kvm };
}

export default defineSuite<NotifierCoreModule>("rules", [
  {
    name: "every invalidate_secondary_tlbs call is made inside an SRCU read section, and the section is closed again",
    points: 2,
    run(impl) {
      for (const s of ["reclaim", "munmap", "cow"]) runScenarioStraight(s, probeDriver(), { kernel: notifierCoreKernel(impl) });
    },
  },
  {
    name: "srcu_read_unlock gets the index srcu_read_lock returned (1 after a grace period, not always 0)",
    points: 1,
    run(impl) {
      runScenarioStraight(munmapAfterGracePeriod, probeDriver(), { kernel: notifierCoreKernel(impl) });
    },
  },
  {
    name: "a KVM-like start/end user on the same mm is skipped: no oops, and its start/end stay balanced",
    points: 2,
    run(impl) {
      for (const s of ["cow", "munmap", "mprotect"]) {
        const { calls, kvm } = counted(impl, s);
        require_(kvm !== null && kvm.in_progress === 0, `${s}: the KVM-like user was left with ${kvm?.in_progress} invalidation(s) in progress: the secondary-TLB path must not call its invalidate_range_start`);
        require_(calls.kvm_start === calls.kvm_end, `${s}: the KVM-like user saw ${calls.kvm_start} invalidate_range_start and ${calls.kvm_end} invalidate_range_end calls`);
      }
    },
  },
  {
    name: "every subscription with the op is called, once per notification, as often as by the kernel's core",
    points: 2,
    run(impl) {
      for (const s of ["reclaim", "munmap", "cow", "thp-split"]) {
        const want = counted(null, s).calls;
        const got = counted(impl, s).calls;
        require_(got.device === want.device, `${s}: the device's invalidate_secondary_tlbs was called ${got.device} time(s), the kernel's core calls it ${want.device} time(s)`);
        require_(got.idle === want.idle, `${s}: a second SVA user on the same mm was called ${got.idle} time(s), the kernel's core calls it ${want.idle} time(s): walk the whole list`);
      }
    },
  },
  {
    name: "each call gets the mm, start and end the call site passed",
    points: 1,
    run(impl) {
      for (const s of ["munmap", "hugetlb-cow", "thp-split"]) {
        const want = counted(null, s).calls.ranges.join(", ");
        const got = counted(impl, s).calls.ranges.join(", ");
        require_(got === want, `${s}: the device was told to invalidate ${got || "nothing"}; the call sites asked for ${want}`);
      }
    },
  },
]);
