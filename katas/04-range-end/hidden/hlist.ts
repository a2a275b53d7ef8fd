/** Hidden tests, kata 04-range-end: your mn_hlist_invalidate_end, the call sites as the kernel makes them. */
import { defineSuite, expectCoherent, runScenarioStraight, genericDrivers, probeDriver, rangeEndKernel, require_, COHERENCE_RULES, type RangeEndModule, type DriverSpec, type RuleId } from "tlbkata";

const SRCU: RuleId[] = ["rcu-not-held", "lock-held-on-return"];

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
    name: "every start/end user gets exactly one invalidate_range_end per range, only_end or not",
    points: 2,
    grades: [],
    run(impl) {
      for (const s of ["cow", "thp-split", "mprotect", "munmap"]) {
        const probe = probeDriver();
        runScenarioStraight(s, probe, { kernel: rangeEndKernel(impl), grades: [] });
        const { kvm_start, kvm_end } = probe.calls;
        require_(kvm_start === kvm_end && probe.kvm?.in_progress === 0, `${s}: the KVM-like user saw ${kvm_start} invalidate_range_start and ${kvm_end} invalidate_range_end calls`);
      }
    },
  },
  {
    name: "every callback runs inside an SRCU read section that is closed again",
    points: 1,
    grades: SRCU,
    run(impl) {
      for (const s of ["mprotect", "mkclean"]) {
        const probe = probeDriver();
        runScenarioStraight(s, probe, { kernel: rangeEndKernel(impl), grades: SRCU });
        require_(probe.calls.device > 0, `not graded yet: on ${s} your mn_hlist_invalidate_end called no callback, so no SRCU read section could be judged`);
      }
    },
  },
]);
