/** Hidden tests, kata 02-register-rules: sharing one notifier per mm with get and put. */
import {
  defineSuite, expectCoherent, runScenarioStraight, buildScenario, sharedSvaDriver, registerRulesKernel, require_, EINVAL, ENOMEM,
  baseScenario, addDevice, addKernelThread, addVictim, page, munmapProgram, ProgramBuilder, Cell, StepAbort, srcu_read_lock, srcu_read_unlock,
  Kernel, mmu_notifier, COHERENCE_RULES, type RegisterRulesModule, type Scenario, type SharedSvaDriver, type mmu_notifier_ops, type RuleId, type ScenarioOptions,
} from "tlbkata";

/** What the free tests grade: a notifier called, or freed, after free_notifier. */
const FREED: readonly RuleId[] = ["use-after-free", "use-after-free-notifier"];

/** Your core, with only the rules `grades` in force. */
const opts = (impl: RegisterRulesModule, grades: readonly RuleId[]): ScenarioOptions => ({ kernel: registerRulesKernel(impl), grades });

/**
 * The only user puts the notifier (the last put) while a CPU is inside an SRCU read section
 * that has already reached the notifier on the list, and calls it a step later (as a
 * callback that waits for its hardware does).
 */
function putUnderReader(driver: SharedSvaDriver): Scenario {
  return {
    name: "put while an SRCU reader holds the notifier",
    summary: "the last put races an invalidation that reached the notifier and has not called it yet",
    build(_d, kernel) {
      const p = baseScenario(driver, { pages: 2, kernel });
      const k = p.w.k;
      const idx = new Cell(k.sim.store, "reader.srcu_idx");
      const reached = new Cell(k.sim.store, "reader.reached");
      const reader = new ProgramBuilder("reader")
        .step("srcu_read_lock; reach the notifier on mm->notifier_subscriptions", () => {
          idx.value = srcu_read_lock(k.sim);
          reached.value = [...k.mn.subscriptions(p.mm)].includes(driver.bonds[0]!) ? 1 : 0;
        })
        .step("ops->invalidate_secondary_tlbs", () => {
          const sub = driver.bonds[0]!;
          if (reached.value) k.mn.callOp(sub, "invalidate_secondary_tlbs", () => sub.ops.invalidate_secondary_tlbs!(sub, p.mm, page(0), page(1)));
        })
        .step("srcu_read_unlock", () => srcu_read_unlock(k.sim, idx.value));
      addKernelThread(p, "reader", reader);
      // The driver's last user goes: mmu_notifier_put (your put) of the notifier the bind got.
      if (p.bound) addKernelThread(p, "unbind", new ProgramBuilder("unbind").step("the device unbinds: mmu_notifier_put", () => k.mn.mmu_notifier_put(driver.bonds[0]!)));
      return p.w;
    },
  };
}

/**
 * munmap of 4 pages while a device uses them, after `users` devices bound the mm
 * through the shared driver and the last `unbinds` of them unbound again.
 */
function shared(driver: SharedSvaDriver, users: number, unbinds: number, device: boolean): Scenario {
  return {
    name: `munmap (${users} bound, ${unbinds} unbound)`,
    summary: "munmap with a driver that shares one notifier among its devices",
    build(_d, kernel) {
      const p = baseScenario(driver, { pages: 4, kernel });
      if (p.bound) {
        p.w.setup(() => {
          for (let i = 1; i < users; i++) driver.bindAnother(p.w.k, p.mm);
          for (let i = 0; i < unbinds; i++) driver.unbind(p.w.k, users - 1 - i);
        });
      }
      if (device) {
        addDevice(p, [
          { op: "read", addr: page(0), name: "A" },
          { op: "write", addr: page(0), name: "A" },
        ]);
      }
      addKernelThread(p, "munmap", munmapProgram(p.w.k, p.vma, page(0), page(4), 2));
      addVictim(p);
      return p.w;
    },
  };
}

/** Build the scenario once to see that every bind worked, with a message about get if not. */
function bound(d: SharedSvaDriver, s: Scenario, impl: RegisterRulesModule, grades: readonly RuleId[]): void {
  buildScenario(s, d, opts(impl, grades));
  require_(d.errors.length === 0, `mmu_notifier_get_locked returned ${d.errors[0]} for a driver with invalidate_secondary_tlbs only: expected a notifier`);
}

/**
 * An mm on which KVM and another device driver registered first; then a get for our ops.
 * Returns what get returned, the other two notifiers and how often our alloc_notifier ran.
 */
function getBesideOthers(impl: RegisterRulesModule) {
  const k = new Kernel(registerRulesKernel(impl));
  const mm = k.mm_alloc("p");
  const kvm = new mmu_notifier(k.sim, { name: "kvm-like", invalidate_range_start: () => 0, invalidate_range_end: () => {} }, "kvm.mmu_notifier");
  const otherSva = new mmu_notifier(k.sim, { name: "other-sva", invalidate_secondary_tlbs: () => {} }, "other-sva.notifier");
  let allocs = 0;
  const ops: mmu_notifier_ops = {
    name: "sva",
    invalidate_secondary_tlbs: () => {},
    alloc_notifier: () => (allocs++, new mmu_notifier(k.sim, ops, "sva.notifier")),
    free_notifier: () => {},
  };
  const got = k.sim.setup(() => {
    k.mn.mmu_notifier_register(kvm, mm);
    k.mn.mmu_notifier_register(otherSva, mm);
    mm.mmap_lock.down_write();
    const r = k.mn.mmu_notifier_get_locked(ops, mm);
    mm.mmap_lock.up_write();
    return r;
  });
  return { got, ops, others: [kvm, otherSva], allocs };
}

export default defineSuite<RegisterRulesModule>("getput", [
  {
    name: "get shares only a notifier with the same ops: other drivers' notifiers on the mm are not handed out",
    points: 1,
    grades: [],
    run(impl) {
      const { got, ops, others, allocs } = getBesideOthers(impl);
      const what = typeof got === "number" ? `error ${got}` : got.ops === ops ? "a notifier with its ops" : `the notifier of ${got.ops.name}, another driver`;
      require_(typeof got !== "number" && got.ops === ops, `on an mm where KVM and another device driver had registered, mmu_notifier_get_locked for a new driver returned ${what}: get shares a notifier only with a user of the same ops (README.md, rule 4)`);
      require_(allocs === 1, `alloc_notifier was called ${allocs} time(s): no notifier with these ops was on the mm, so get must allocate one (README.md, rule 4)`);
      for (const o of others) require_(o.users.value === 1, `${o.ops.name}'s notifier has ${o.users.value} users after another driver's get: a get takes a user only on the notifier it returns`);
    },
  },
  {
    name: "two devices binding one mm share one notifier: one alloc_notifier, two users",
    points: 2,
    grades: [],
    run(impl) {
      const d = sharedSvaDriver();
      bound(d, shared(d, 2, 0, false), impl, []);
      runScenarioStraight(shared(d, 2, 0, false), d, opts(impl, []));
      require_(d.counts.alloc === 1, `alloc_notifier was called ${d.counts.alloc} times for two binds of one mm: the second get must find the first notifier (README.md, rule 4)`);
      require_(d.bonds[0] === d.bonds[1], "the two binds got different notifiers");
      require_(d.bonds[0]!.users.value === 2, `the shared notifier has ${d.bonds[0]!.users.value} users after two gets`);
    },
  },
  {
    name: "one device unbinds (put) while another still uses the mm: its translations are still invalidated, every interleaving",
    points: 3,
    grades: COHERENCE_RULES,
    run(impl) {
      const d = sharedSvaDriver();
      bound(d, shared(d, 2, 1, true), impl, COHERENCE_RULES);
      expectCoherent(shared(d, 2, 1, true), d, opts(impl, COHERENCE_RULES));
      require_(d.counts.free === 0, `free_notifier was called ${d.counts.free} time(s) while a user remained: while users remain, put does nothing else (README.md, rule 5)`);
    },
  },
  {
    name: "the last put unlinks the notifier and frees it once: no callback reaches it afterwards",
    points: 2,
    grades: FREED,
    run(impl) {
      const d = sharedSvaDriver();
      bound(d, shared(d, 2, 2, false), impl, FREED);
      runScenarioStraight(shared(d, 2, 2, false), d, opts(impl, FREED));
      require_(d.counts.free === 1, `after both devices unbound, free_notifier was called ${d.counts.free} time(s): the last put frees the notifier, once (README.md, rule 5)`);
    },
  },
  {
    name: "the last put frees through call_srcu: an SRCU reader that reached the notifier never meets it freed, every interleaving",
    points: 2,
    grades: FREED,
    run(impl) {
      const d = sharedSvaDriver();
      bound(d, putUnderReader(d), impl, FREED);
      expectCoherent(putUnderReader(d), d, opts(impl, FREED));
    },
  },
  {
    name: "a put on a notifier with no users left changes nothing: the count stays 0",
    points: 1,
    grades: [],
    run(impl) {
      const k = new Kernel(registerRulesKernel(impl));
      const mm = k.mm_alloc("p");
      const ops: mmu_notifier_ops = { name: "sva", invalidate_secondary_tlbs: () => {}, alloc_notifier: () => new mmu_notifier(k.sim, ops, "sva.notifier"), free_notifier: () => {} };
      const got = k.sim.setup(() => {
        mm.mmap_lock.down_write();
        const r = k.mn.mmu_notifier_get_locked(ops, mm);
        mm.mmap_lock.up_write();
        return r;
      });
      require_(typeof got !== "number", `mmu_notifier_get_locked returned ${got} for a driver with invalidate_secondary_tlbs only: expected a notifier`);
      if (typeof got === "number") return;
      k.sim.setup(() => k.mn.mmu_notifier_put(got));
      k.sim.setup(() => k.mn.mmu_notifier_put(got));
      require_(got.users.value === 0, `after its only user put it, a second put left the notifier's user count at ${got.users.value}: a put with no users left is a driver's bug, and mmu_notifier_put changes nothing (the kernel warns, WARN_ON) (README.md, rule 5)`);
    },
  },
  {
    name: "when alloc_notifier fails, get returns its error and registers nothing",
    points: 1,
    grades: [],
    run(impl) {
      const d = sharedSvaDriver({ alloc_notifier: () => -ENOMEM });
      let crash: string | null = null;
      try {
        buildScenario(shared(d, 1, 0, false), d, opts(impl, []));
      } catch (e) {
        if (!(e instanceof StepAbort)) throw e;
        crash = `[${e.violation.rule}] ${e.violation.message}`;
      }
      require_(crash === null, `binding when alloc_notifier returns -ENOMEM (${-ENOMEM}): ${crash}: check what alloc_notifier returned before registering it`);
      require_(d.bonds.length === 0 && d.errors[0] === -ENOMEM, `mmu_notifier_get_locked ${d.bonds.length ? "handed out a notifier" : `returned ${d.errors[0]}`} when alloc_notifier failed with -ENOMEM: expected -ENOMEM (${-ENOMEM})`);
    },
  },
  {
    name: "when registration fails, get frees what alloc_notifier gave and returns the error",
    points: 1,
    grades: [],
    run(impl) {
      const d = sharedSvaDriver({ invalidate_range_end: () => {} });
      buildScenario(shared(d, 1, 0, false), d, opts(impl, []));
      require_(d.bonds.length === 0 && d.errors[0] === -EINVAL, `mmu_notifier_get_locked ${d.bonds.length ? "handed out a notifier with both kinds of callbacks" : `returned ${d.errors[0]}`}: expected -EINVAL (${-EINVAL})`);
      require_(d.counts.alloc === 1 && d.counts.free === 1, `alloc_notifier ${d.counts.alloc} time(s), free_notifier ${d.counts.free} time(s): a notifier that failed to register must be freed (returned -EINVAL = ${-EINVAL}) (README.md, rule 4)`);
    },
  },
]);
