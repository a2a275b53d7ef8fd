/** Hidden tests, kata 02-notifier-core: SRCU, skipping users without the op, one call each, the right range. */
import {
  defineSuite, runScenarioStraight, probeDriver, notifierCoreKernel, findScenario, require_, Kernel, mmu_notifier, BASE, PAGE_SIZE, SRCU_RULES,
  type NotifierCoreModule, type Scenario, type mmu_notifier_ops, type ScenarioRef,
} from "tlbkata";

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

/** The probe's counters after a straight run graded on nothing but its own checks, with your core or (impl null) the kernel's own. */
function counted(impl: NotifierCoreModule | null, scenario: string) {
  const probe = probeDriver();
  runScenarioStraight(scenario, probe, impl ? { kernel: notifierCoreKernel(impl), grades: [] } : {});
  return { calls: probe.calls, kvm: probe.kvm };
}

/** Straight runs graded on the SRCU rules; a core that never calls the device cannot be judged, and fails. */
function srcuJudged(impl: NotifierCoreModule, scenarios: readonly ScenarioRef[]): void {
  for (const s of scenarios) {
    const probe = probeDriver();
    runScenarioStraight(s, probe, { kernel: notifierCoreKernel(impl), grades: SRCU_RULES });
    require_(probe.calls.device > 0, `not graded yet: on ${typeof s === "string" ? s : s.name} your core never called the device's invalidate_secondary_tlbs, so no SRCU read section could be judged`);
  }
}

/**
 * One mm with, from the head of the list: device b, a KVM-like start/end user, device a.
 * The two devices belong to one driver and share its ops table, each with a notifier of
 * its own (as two SMMUs bound to one process do). Returns how often each was called.
 */
function mixedList(impl: NotifierCoreModule) {
  const k = new Kernel(notifierCoreKernel(impl));
  const mm = k.mm_alloc("p");
  const seen = new Map<string, number>();
  const count = (who: string) => seen.set(who, (seen.get(who) ?? 0) + 1);
  const sva: mmu_notifier_ops = { name: "sva", invalidate_secondary_tlbs: (sub) => count(sub.name) };
  const kvm: mmu_notifier_ops = { name: "kvm-like", invalidate_range_start: () => 0, invalidate_range_end: () => {} };
  k.sim.setup(() => {
    for (const [ops, name] of [[sva, "device a"], [kvm, "kvm"], [sva, "device b"]] as const) k.mn.mmu_notifier_register(new mmu_notifier(k.sim, ops, name), mm);
    k.mn.mmu_notifier_invalidate_secondary_tlbs(mm, BASE, BASE + PAGE_SIZE);
  });
  return seen;
}

export default defineSuite<NotifierCoreModule>("rules", [
  {
    name: "every invalidate_secondary_tlbs call is made inside an SRCU read section, and the section is closed again",
    points: 2,
    grades: SRCU_RULES,
    run: (impl) => srcuJudged(impl, ["reclaim", "munmap", "cow"]),
  },
  {
    name: "srcu_read_unlock gets the index srcu_read_lock returned (1 after a grace period, not always 0)",
    points: 1,
    grades: SRCU_RULES,
    run: (impl) => srcuJudged(impl, [munmapAfterGracePeriod]),
  },
  {
    name: "a KVM-like start/end user on the same mm is skipped: no oops, and its start/end stay balanced",
    points: 2,
    grades: [],
    run(impl) {
      for (const s of ["cow", "munmap", "mprotect"]) {
        const { calls, kvm } = counted(impl, s);
        require_(kvm !== null && kvm.in_progress === 0, `${s}: the KVM-like user was left with ${kvm?.in_progress} invalidation(s) in progress: the secondary-TLB path must not call its invalidate_range_start: skip users without the op (README.md, rule 3)`);
        require_(calls.kvm_start === calls.kvm_end, `${s}: the KVM-like user saw ${calls.kvm_start} invalidate_range_start and ${calls.kvm_end} invalidate_range_end calls`);
      }
    },
  },
  {
    name: "every subscription with the op is called, once per notification, as often as by the kernel's core",
    points: 2,
    grades: [],
    run(impl) {
      for (const s of ["reclaim", "munmap", "cow", "thp-split"]) {
        const want = counted(null, s).calls;
        const got = counted(impl, s).calls;
        require_(got.device === want.device, `${s}: the device's invalidate_secondary_tlbs was called ${got.device} time(s), the kernel's core calls it ${want.device} time(s)`);
        require_(got.idle === want.idle, `${s}: a second SVA user on the same mm was called ${got.idle} time(s), the kernel's core calls it ${want.idle} time(s): walk the whole list (README.md, rule 4)`);
      }
    },
  },
  {
    name: "the walk goes past a start/end user to the end of the list, and two subscriptions sharing one ops table each get their call",
    points: 1,
    grades: [],
    run(impl) {
      const seen = mixedList(impl);
      for (const who of ["device a", "device b"]) {
        const n = seen.get(who) ?? 0;
        require_(n === 1, `a list of device b, a KVM-like start/end user and device a (one driver, one ops table, a notifier each): ${who} was called ${n} time(s) for one notification: skip a subscription without the op and go on; every subscription is its own user, whatever its ops (README.md, rule 4)`);
      }
    },
  },
  {
    name: "each call gets the mm, start and end the call site passed",
    points: 1,
    grades: [],
    run(impl) {
      // The 64-bit edges too: above 2 GiB and 4 GiB, the top of user space, and (0, ULONG_MAX).
      for (const s of ["munmap", "hugetlb-cow", "thp-split", "munmap-above-2g", "munmap-above-4g", "munmap-top", "reclaim-whole-mm"]) {
        const want = counted(null, s).calls.ranges.join(", ");
        const got = counted(impl, s).calls.ranges.join(", ");
        require_(got === want, `${s}: the device was told to invalidate ${got || "nothing"}; the call sites asked for ${want}: every subscription gets the range as it came (README.md, rule 4)`);
      }
    },
  },
]);
