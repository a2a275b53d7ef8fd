/**
 * Visible tests for kata 02-register-rules: run them with
 * `npx tlbkata check 02-register-rules`. Every driver registers through your
 * functions.
 */
import { defineSuite, expectCoherent, exploreScenario, buildScenario, genericDrivers, sharedSvaDriver, registerRulesKernel, require_, type RegisterRulesModule } from "tlbkata";

const generic = (name: string) => genericDrivers.find((d) => d.name === name)!;

export default defineSuite<RegisterRulesModule>("visible", [
  {
    name: "a driver with invalidate_secondary_tlbs registers, and munmap is coherent in every interleaving",
    points: 1,
    run: (impl) => expectCoherent("munmap", generic("correct-generic"), { kernel: registerRulesKernel(impl) }),
  },
  {
    name: "a driver with invalidate_secondary_tlbs and invalidate_range_start is refused with -EINVAL",
    points: 1,
    run(impl) {
      const r = exploreScenario("reclaim", generic("both-ops"), { kernel: registerRulesKernel(impl) });
      require_(r.violation?.violation.rule === "invalid-ops", "the both-ops driver was allowed to register: __mmu_notifier_register must return -EINVAL for ops with both kinds of callbacks");
    },
  },
  {
    name: "two devices binding one mm through mmu_notifier_get_locked share one notifier",
    points: 1,
    run(impl) {
      const d = sharedSvaDriver();
      const w = buildScenario("reclaim", d, { kernel: registerRulesKernel(impl) });
      require_(d.errors.length === 0, `mmu_notifier_get_locked returned ${d.errors[0]} for the first device of a driver with invalidate_secondary_tlbs only`);
      w.setup(() => d.bindAnother(w.k, w.k.mms[0]!));
      require_(d.errors.length === 0, `mmu_notifier_get_locked returned ${d.errors[0]} for the second device`);
      require_(d.counts.alloc === 1, `alloc_notifier was called ${d.counts.alloc} times for one (ops, mm): the second get must find the first notifier`);
      require_(d.bonds[0] === d.bonds[1], "the two binds got different notifiers");
    },
  },
]);
