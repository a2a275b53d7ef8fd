/** Hidden tests, kata 04-range-end: your mn_hlist_invalidate_end, the call sites as the kernel makes them. */
import {
  defineSuite, expectCoherent, runScenarioStraight, genericDrivers, probeDriver, rangeEndKernel, findScenario, require_, COHERENCE_RULES,
  baseScenario, addDevice, addKernelThread, addVictim, oomReapProgram, page,
  type RangeEndModule, type DriverSpec, type RuleId, type Scenario,
} from "tlbkata";

const SRCU: RuleId[] = ["rcu-not-held", "lock-held-on-return", "srcu-wrong-index"];

/** mprotect after one SRCU grace period at set-up: srcu_read_lock returns 1 from then on. */
const mprotectAfterGracePeriod: Scenario = {
  name: "mprotect after a grace period",
  summary: "mprotect racing a device, once a grace period has flipped the SRCU index",
  build(driver, kernel) {
    const w = findScenario("mprotect")!.build(driver, kernel);
    w.setup(() => w.k.mn.srcu.synchronize_srcu());
    return w;
  },
};

/** The oom reaper zapping a process's two pages under a non-blockable range while a device uses them. */
const oomReap: Scenario = {
  name: "oom-reap",
  summary: "the oom reaper (non-blockable range: mmu_notifier_invalidate_range_start_nonblock) zaps two pages while a device reads and writes them",
  build(driver, kernel) {
    const p = baseScenario(driver, { pages: 2, kernel });
    addDevice(p, [
      { op: "read", addr: page(0), name: "A" },
      { op: "write", addr: page(1), name: "B" },
    ]);
    addKernelThread(p, "oom_reaper", oomReapProgram(p.w.k, p.mm, 2));
    addVictim(p);
    return p.w;
  },
};

/** The ranges the probe's device was told to invalidate in a straight run, with your range_end or (impl null) the kernel's. */
function ranges(impl: RangeEndModule | null, scenario: string): string {
  const probe = probeDriver();
  runScenarioStraight(scenario, probe, { kernel: impl ? rangeEndKernel(impl) : {}, grades: [] });
  return probe.calls.ranges.join(", ");
}

const generic = (): DriverSpec => genericDrivers.find((d) => d.name === "correct-generic")!;

const on = (scenario: string, points: number, what: string, driver: () => DriverSpec) => ({
  name: `${scenario}: ${what}`,
  points,
  grades: COHERENCE_RULES,
  run: (impl: RangeEndModule) => expectCoherent(scenario, driver(), { kernel: rangeEndKernel(impl), grades: COHERENCE_RULES }),
});

export default defineSuite<RangeEndModule>("hlist", [
  on("mprotect", 2, "change_protection leaves the secondary flush to range_end", generic),
  on("mkclean", 1, "page_vma_mkclean_one leaves the secondary flush to range_end", generic),
  on("mprotect", 2, "with a KVM-like start/end user and a second device's notifier registered first", () => probeDriver()),
  {
    name: "every start/end user gets exactly one invalidate_range_end per range, only_end or not, blockable or not",
    points: 2,
    grades: [],
    run(impl) {
      for (const s of ["cow", "thp-split", "mprotect", "munmap", oomReap]) {
        const probe = probeDriver();
        runScenarioStraight(s, probe, { kernel: rangeEndKernel(impl), grades: [] });
        const { kvm_start, kvm_end } = probe.calls;
        const name = typeof s === "string" ? s : `${s.name} (a non-blockable range)`;
        require_(kvm_start === kvm_end && probe.kvm?.in_progress === 0, `${name}: the KVM-like user saw ${kvm_start} invalidate_range_start and ${kvm_end} invalidate_range_end calls: every range_start that succeeded is paired with a range_end`);
      }
    },
  },
  {
    name: "every callback runs inside an SRCU read section that is closed again with the index srcu_read_lock returned",
    points: 1,
    grades: SRCU,
    run(impl) {
      for (const s of ["mprotect", "mkclean", mprotectAfterGracePeriod]) {
        const probe = probeDriver();
        runScenarioStraight(s, probe, { kernel: rangeEndKernel(impl), grades: SRCU });
        require_(probe.calls.device > 0, `not graded yet: on ${typeof s === "string" ? s : s.name} your mn_hlist_invalidate_end called no callback, so no SRCU read section could be judged`);
      }
    },
  },
  {
    name: "invalidate_secondary_tlbs gets the range's own start and end, one call for the whole range, also above 4 GiB and at the top of user space",
    points: 2,
    grades: [],
    run(impl) {
      for (const s of ["mprotect", "mkclean", "mprotect-1", "mprotect-2g", "munmap-top"]) {
        const want = ranges(null, s);
        const got = ranges(impl, s);
        require_(got === want, `${s}: the device was told to invalidate ${got || "nothing"}; the kernel's core passes the range on as it came: ${want}`);
      }
    },
  },
]);
