/** Hidden tests, kata 02-register-rules: the both-kinds rule and its warning. */
import {
  defineSuite, exploreScenario, genericDrivers, Kernel, mmu_notifier, registerRulesKernel, require_, EINVAL,
  type RegisterRulesModule, type mmu_notifier_ops,
} from "tlbkata";

const flush = () => {};
const start = () => 0;
const end = () => {};

const BAD: Record<string, mmu_notifier_ops> = {
  "invalidate_secondary_tlbs + invalidate_range_start": { name: "bad-start", invalidate_secondary_tlbs: flush, invalidate_range_start: start },
  "invalidate_secondary_tlbs + invalidate_range_end": { name: "bad-end", invalidate_secondary_tlbs: flush, invalidate_range_end: end },
  "invalidate_secondary_tlbs + invalidate_range_start + invalidate_range_end": { name: "bad-both", invalidate_secondary_tlbs: flush, invalidate_range_start: start, invalidate_range_end: end },
};

const GOOD: Record<string, mmu_notifier_ops> = {
  "invalidate_secondary_tlbs only (an IOMMU)": { name: "sva", invalidate_secondary_tlbs: flush, release: () => {} },
  "invalidate_range_start + invalidate_range_end (KVM)": { name: "kvm", invalidate_range_start: start, invalidate_range_end: end },
  "invalidate_range_start only": { name: "start-only", invalidate_range_start: start },
  "invalidate_range_end only": { name: "end-only", invalidate_range_end: end },
  "release only": { name: "release-only", release: () => {} },
};

/** Register `ops` on a fresh mm of `k` (taking mmap_lock, as mmu_notifier_register does). */
function register(k: Kernel, ops: mmu_notifier_ops, label: string) {
  const mm = k.mm_alloc(label);
  const sub = new mmu_notifier(k.sim, ops, `${label}.notifier`);
  const ret = k.sim.setup(() => k.mn.mmu_notifier_register(sub, mm));
  const linked = k.sim.setup(() => [...k.mn.subscriptions(mm)]).includes(sub);
  return { ret, linked, sub };
}

export default defineSuite<RegisterRulesModule>("rules", [
  {
    name: "ops with invalidate_secondary_tlbs and start, end or both are refused with -EINVAL, and nothing is linked",
    points: 3,
    grades: [],
    run(impl) {
      for (const [what, ops] of Object.entries(BAD)) {
        const k = new Kernel(registerRulesKernel(impl));
        const { ret, linked } = register(k, ops, "bad");
        require_(ret === -EINVAL, `registering ${what} returned ${ret}: expected -EINVAL (${-EINVAL}): either kind, never both (README.md, rule 2)`);
        require_(!linked, `registering ${what} was refused but the subscription was linked on the mm anyway: a refused registration links nothing (README.md, rule 2)`);
      }
    },
  },
  {
    name: "ops of one kind are accepted and linked: an IOMMU's, KVM's start/end, start or end alone, release alone",
    points: 2,
    grades: [],
    run(impl) {
      const k = new Kernel(registerRulesKernel(impl));
      for (const [what, ops] of Object.entries(GOOD)) {
        const { ret, linked, sub } = register(k, ops, ops.name!);
        require_(ret === 0, `registering ${what} returned ${ret}: a user of one kind only must be accepted (README.md, rule 2)`);
        require_(linked, `registering ${what} returned 0 but the subscription is not on the mm's list`);
        require_(sub.users.value === 1, `a registered subscription has ${sub.users.value} users: expected 1 (README.md, rule 3)`);
        require_(sub.mm !== null, "a registered subscription does not know its mm (subscription->mm) (README.md, rule 3)");
      }
      require_(k.mn.warnings.fired.length === 0, `good registrations warned: ${k.mn.warnings.fired.join("; ")}`);
    },
  },
  {
    name: "a registration on an mm that already has notifiers adds to its list: every earlier subscription stays linked",
    points: 1,
    grades: [],
    run(impl) {
      const k = new Kernel(registerRulesKernel(impl));
      const mm = k.mm_alloc("p");
      const subs = Object.values(GOOD).slice(0, 3).map((ops) => new mmu_notifier(k.sim, ops, `${ops.name}.notifier`));
      const rets = k.sim.setup(() => subs.map((sub) => k.mn.mmu_notifier_register(sub, mm)));
      require_(rets.every((r) => r === 0), `three registrations of one-kind ops on one mm returned ${rets.join(", ")}: expected 0 each`);
      const linked = k.sim.setup(() => [...k.mn.subscriptions(mm)]);
      const lost = subs.filter((sub) => !linked.includes(sub)).map((sub) => sub.ops.name);
      require_(lost.length === 0, `after three registrations on one mm, ${lost.join(" and ")} ${lost.length > 1 ? "are" : "is"} no longer on mm->notifier_subscriptions: allocate the list only when the mm has none, and add to it (README.md, rule 3)`);
    },
  },
  {
    name: "a refused registration warns",
    points: 1,
    grades: [],
    run(impl) {
      const k = new Kernel(registerRulesKernel(impl));
      register(k, Object.values(BAD)[0]!, "bad");
      require_(k.mn.warnings.fired.length >= 1, "a registration with both kinds of callbacks was refused without a warning (WARN_ON_ONCE, README.md, rule 2)");
    },
  },
  {
    name: "WARN_ON_ONCE: several refused registrations, from different drivers, warn exactly once",
    points: 2,
    grades: [],
    run(impl) {
      const k = new Kernel(registerRulesKernel(impl));
      let i = 0;
      for (const ops of [...Object.values(BAD), ...Object.values(BAD)]) register(k, ops, `bad${i++}`);
      const n = k.mn.warnings.fired.length;
      require_(n === 1, `six refused registrations by three drivers gave ${n} warning(s): WARN_ON_ONCE warns the first time only, whichever driver it is (README.md, rule 2)`);
    },
  },
  {
    name: "binding a driver with both kinds fails, and its device never gets to use the mm",
    points: 1,
    grades: [],
    run(impl) {
      const r = exploreScenario("munmap", genericDrivers.find((d) => d.name === "both-ops")!, { kernel: registerRulesKernel(impl), grades: [] });
      require_(r.violation?.violation.rule === "invalid-ops", `the both-ops driver's bind ${r.violation ? `failed with ${r.violation.violation.rule}` : "succeeded"}: expected the registration to be refused`);
    },
  },
]);
