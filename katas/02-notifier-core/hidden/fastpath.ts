/** Hidden tests, kata 02-notifier-core: mm_has_notifiers and the fast path. */
import { defineSuite, Kernel, mmu_notifier, notifierCoreKernel, runScenarioStraight, probeDriver, require_, BASE, PAGE_SIZE, type NotifierCoreModule } from "tlbkata";

function twoMms(impl: NotifierCoreModule) {
  const k = new Kernel(notifierCoreKernel(impl));
  const quiet = k.mm_alloc("quiet");
  const busy = k.mm_alloc("busy");
  const seen: string[] = [];
  const sub = new mmu_notifier(k.sim, { name: "counter", invalidate_secondary_tlbs: (_s, mm) => void seen.push(mm.name) }, "counter");
  return { k, quiet, busy, sub, seen };
}

export default defineSuite<NotifierCoreModule>("fastpath", [
  {
    name: "mm_has_notifiers: false before the first registration on the mm, true after it, for that mm only",
    points: 1,
    grades: [],
    run(impl) {
      const { k, quiet, busy, sub } = twoMms(impl);
      require_(!impl.mm_has_notifiers(busy), "mm_has_notifiers() is true for an mm nothing was ever registered on");
      k.sim.setup(() => k.mn.mmu_notifier_register(sub, busy));
      require_(impl.mm_has_notifiers(busy), "mm_has_notifiers() is false for an mm with a registered notifier");
      require_(!impl.mm_has_notifiers(quiet), "mm_has_notifiers() is true for another mm with no notifier");
    },
  },
  {
    name: "on an mm without notifiers the wrapper costs nothing: no SRCU read section, no write at all",
    points: 2,
    grades: [],
    run(impl) {
      const { k, quiet, busy, sub, seen } = twoMms(impl);
      let writes: readonly number[] = [];
      k.sim.setup(() => {
        k.mn.mmu_notifier_register(sub, busy);
        k.sim.store.beginFootprint();
        k.mn.mmu_notifier_invalidate_secondary_tlbs(quiet, BASE, BASE + PAGE_SIZE);
        writes = k.sim.store.endFootprint().writes;
      });
      const names = writes.map((s) => k.sim.store.nameOf(s));
      require_(writes.length === 0, `mmu_notifier_invalidate_secondary_tlbs() on an mm without notifiers wrote ${names.join(", ")}: the fast path must return before the slow path (srcu_read_lock) is entered (README.md, rule 1)`);
      require_(seen.length === 0, `a notifier registered on another mm was called for ${seen.join(", ")}`);
    },
  },
  {
    name: "an mm with notifiers takes the slow path",
    points: 1,
    grades: [],
    run(impl) {
      const { k, busy, sub, seen } = twoMms(impl);
      k.sim.setup(() => {
        k.mn.mmu_notifier_register(sub, busy);
        k.mn.mmu_notifier_invalidate_secondary_tlbs(busy, BASE, BASE + PAGE_SIZE);
      });
      require_(seen.length === 1, `one notification on an mm with one notifier made ${seen.length} call(s)`);
      const probe = probeDriver({ kvm: false, idle: false });
      runScenarioStraight("reclaim", probe, { kernel: notifierCoreKernel(impl), grades: [] });
      require_(probe.calls.device > 0, "reclaim of a page the device uses never called its invalidate_secondary_tlbs");
    },
  },
]);
