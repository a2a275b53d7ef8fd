/**
 * The explorer's reductions and search orders keep every verdict: on every scenario
 * (standard, large, and scaled ones) and driver, the search with its reductions
 * (persistent sets, sleep sets, dead values), and with persistent sets alone, finds a
 * violation exactly when the search without any does; the breadth-first search for a
 * shortest counterexample agrees, its counterexample is no longer than any other
 * search's, and exactly as long with persistent sets as without. Large scenarios run
 * one correct and one wrong driver each (a full search of a large scenario takes
 * seconds).
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { explore, scenarios, largeScenarios, Store, PROGRESS_TRANSITIONS, type DriverSpec, type World, type Scenario, type Model, type ExploreProgress } from "tlbkata";
import { allDrivers } from "../../src/cli/drivers";
import { driver } from "./helpers";

/** Generic and vendor drivers; vendor ones load from this checkout's solutions/. */
function drivers(): { name: string; spec: DriverSpec }[] {
  process.env.TLBKATA_ROOT ??= fileURLToPath(new URL("../..", import.meta.url));
  return allDrivers().map((d) => ({ name: d.name, spec: d.resolve() }));
}

interface Verdicts {
  /** Every reduction on (the default). */
  readonly sleep: number | undefined;
  /** None. */
  readonly plain: number | undefined;
  /** Persistent sets alone. */
  readonly persistent: number | undefined;
  readonly shortest: number | undefined;
  /** Shortest, breadth-first without persistent sets. */
  readonly shortestFull: number | undefined;
}

const NONE = { sleepSets: false, deadValues: false, persistentSets: false } as const;

/** Length of the counterexample each search finds (undefined: none), each on a fresh world. */
function verdicts(make: () => World): Verdicts {
  const len = (w: World, o: Parameters<typeof explore>[1]): number | undefined => {
    if (w.setupViolations.length > 0) return 0;
    const r = explore(w, o);
    expect(r.complete).toBe(true);
    return r.violation?.schedule.length;
  };
  return {
    sleep: len(make(), {}),
    plain: len(make(), NONE),
    persistent: len(make(), { ...NONE, persistentSets: "always" }),
    shortest: len(make(), { shortest: true }),
    shortestFull: len(make(), { shortest: true, persistentSets: false }),
  };
}

function expectAgreement(v: Verdicts, tag: string): void {
  expect(v.plain !== undefined, `${tag}: the reductions change the verdict`).toBe(v.sleep !== undefined);
  expect(v.persistent !== undefined, `${tag}: persistent sets change the verdict`).toBe(v.plain !== undefined);
  expect(v.shortest !== undefined, `${tag}: breadth-first changes the verdict`).toBe(v.sleep !== undefined);
  expect(v.shortest, `${tag}: persistent sets change the shortest counterexample's length`).toBe(v.shortestFull);
  if (v.shortest !== undefined) {
    expect(v.shortest, `${tag}: breadth-first is longer than depth-first`).toBeLessThanOrEqual(v.sleep!);
    expect(v.shortest, `${tag}: breadth-first is longer than depth-first`).toBeLessThanOrEqual(v.plain!);
  }
}

describe("reductions keep every verdict", () => {
  const all = drivers();
  for (const s of scenarios) {
    it(`standard scenario ${s.name}, every driver`, () => {
      for (const d of all) expectAgreement(verdicts(() => s.build(d.spec)), `${s.name} / ${d.name}`);
    });
  }

  const scaled: [Scenario, number, number][] = [];
  for (const s of [...scenarios, ...largeScenarios]) {
    if (!s.scaled) continue;
    for (const [pages, batch] of [
      [1, 1],
      [2, 1],
      [2, 4],
      [3, 2],
    ] as const) {
      scaled.push([s, pages, batch]);
    }
  }
  for (const [s, pages, batch] of scaled) {
    it(`${s.name} --pages ${pages} --batch ${batch}, every generic driver`, () => {
      for (const d of ["correct-generic", "start-only", "end-only", "sleeps", "both-ops"]) {
        expectAgreement(verdicts(() => s.scaled!.build(driver(d), undefined, { pages, batch })), `${s.name} ${pages}/${batch} / ${d}`);
      }
    });
  }

  for (const s of largeScenarios) {
    it(`large scenario ${s.name}: correct-generic proven either way, start-only caught either way`, () => {
      const proofs = [true, false].map((on) => explore(s.build(driver("correct-generic")), { sleepSets: on, deadValues: on, persistentSets: on ? "always" : false }));
      for (const r of proofs) expect({ complete: r.complete, violation: r.violation }).toEqual({ complete: true, violation: undefined });
      expect(proofs[0]!.states).toBeLessThanOrEqual(proofs[1]!.states);
      expect(proofs[0]!.transitions).toBeLessThan(proofs[1]!.transitions);
      expectAgreement(verdicts(() => s.build(driver("start-only"))), `${s.name} / start-only`);
    }, 120_000);
  }
});

describe("breadth-first shortest counterexamples", () => {
  it("are as short as a depth-first search with a tightening bound finds, on every standard scenario", () => {
    for (const s of scenarios) {
      for (const d of ["start-only", "end-only", "sleeps"]) {
        const bfs = explore(s.build(driver(d)), { shortest: true });
        // A preemption bound no schedule here reaches: the depth-first shortest search.
        const dfs = explore(s.build(driver(d)), { shortest: true, preemptionBound: 1000 });
        if (bfs.violation) expect(bfs.order).toBe("depth-first, then breadth-first");
        expect(dfs.order).toBe("depth-first");
        expect(bfs.violation?.schedule.length, `${s.name} / ${d}`).toBe(dfs.violation?.schedule.length);
        if (bfs.violation) expect(bfs.violation.trace.violation?.rule).toBe(bfs.violation.violation.rule);
      }
    }
  });

  it("cost a plain depth-first search when there is nothing to find", () => {
    // (Fingerprints are not compared: slots are numbered in the order a search first
    // touches them, so the same state has different fingerprints in different orders.)
    for (const s of scenarios) {
      let reported = 0;
      const b = explore(s.build(driver("correct-generic")), { shortest: true, onState: () => reported++ });
      const d = explore(s.build(driver("correct-generic")));
      expect(b.violation).toBeUndefined();
      expect(b.complete).toBe(true);
      expect(b.order).toBe("depth-first");
      expect(b.states).toBe(d.states);
      expect(b.transitions).toBe(d.transitions);
      expect(reported).toBe(b.states);
    }
  });

  it("stop at maxStates as incomplete", () => {
    const r = explore(scenarios[0]!.build(driver("correct-generic")), { shortest: true, maxStates: 50 });
    expect(r.complete).toBe(false);
    expect(r.stoppedBy).toBe("max-states");
    expect(r.states).toBe(50);
  });
});

describe("progress", () => {
  const munmapN = (d: string, pages: number) => scenarios.find((s) => s.name === "munmap")!.scaled!.build(driver(d), undefined, { pages, batch: 4 });

  it("is reported every PROGRESS_TRANSITIONS transitions, and a false answer stops the search there", () => {
    // Sleep sets and dead values only: a few hundred thousand transitions, quickly.
    const opts = { persistentSets: false } as const;
    const full = explore(munmapN("correct-generic", 4), opts);
    expect(full.transitions).toBeGreaterThan(3 * PROGRESS_TRANSITIONS);
    const seen: ExploreProgress[] = [];
    const all = explore(munmapN("correct-generic", 4), { ...opts, progress: (p) => void seen.push(p) });
    expect(all).toMatchObject({ complete: true, states: full.states, transitions: full.transitions });
    expect(all.stoppedBy).toBeUndefined();
    expect(seen.length).toBe(Math.floor(full.transitions / PROGRESS_TRANSITIONS));
    seen.forEach((p, i) => {
      expect(p).toMatchObject({ order: "depth-first", transitions: (i + 1) * PROGRESS_TRANSITIONS });
      if (i > 0) expect(p.states).toBeGreaterThanOrEqual(seen[i - 1]!.states);
      expect(p.bytes).toBeGreaterThan(0);
    });

    let calls = 0;
    const cut = explore(munmapN("correct-generic", 4), { ...opts, progress: () => ++calls < 2 });
    expect(cut).toMatchObject({ complete: false, stoppedBy: "caller", transitions: 2 * PROGRESS_TRANSITIONS });
    expect(cut.states).toBeLessThan(full.states);
    expect(cut.violation).toBeUndefined();
  });

  it("covers the breadth-first search; stopped there, the depth-first counterexample stands", () => {
    const orders = new Set<string>();
    const known: (number | undefined)[] = [];
    const r = explore(munmapN("start-only", 12), {
      shortest: true,
      progress: (p) => {
        orders.add(p.order);
        known.push(p.shortestKnown);
        return p.order === "depth-first";
      },
    });
    expect(orders).toEqual(new Set(["breadth-first"]));
    expect(r).toMatchObject({ complete: false, stoppedBy: "caller", order: "depth-first, then breadth-first" });
    expect(r.violation?.violation.rule).toBeDefined();
    // The report names the counterexample the breadth-first search tries to beat: the one it returns when stopped.
    expect(known).toEqual([r.violation!.schedule.length]);
  });

  it("says nothing of a known counterexample outside the breadth-first phase", () => {
    const known = new Set<number | undefined>();
    explore(munmapN("correct-generic", 4), { persistentSets: false, progress: (p) => void known.add(p.shortestKnown) });
    expect(known).toEqual(new Set([undefined]));
  });
});

describe("dead values", () => {
  it("cut states of the scaled munmap scenario, and only when switched on", () => {
    // What each device read (records) and a finished device's horizon (retired).
    const w = () => scenarios[0]!.scaled!.build(driver("correct-generic"), undefined, { pages: 3, batch: 4 });
    // (Persistent sets off: with them, sleep sets cut states too.)
    const merged = explore(w(), { persistentSets: false });
    const full = explore(w(), { deadValues: false, persistentSets: false });
    const sleepOnly = explore(w(), { sleepSets: false, persistentSets: false });
    expect(merged.states).toBeLessThan(full.states);
    // Sleep sets never change the state count; records do, whatever the sleep sets.
    expect(sleepOnly.states).toBe(merged.states);
  });

  it("leave the fingerprint alone until asked, and restore the store's setting after a search", () => {
    const st = new Store();
    const rec = st.alloc("dev.observed[0]");
    const live = st.alloc("dev.pc");
    st.markRecord(rec);
    const before = st.fingerprint();
    st.set(rec, 7);
    expect(st.fingerprint()).toBe(before);
    st.keepDeadValues = true;
    expect(st.fingerprint()).not.toBe(before);
    st.keepDeadValues = false;
    expect(st.fingerprint()).toBe(before);
    st.set(live, 1);
    expect(st.fingerprint()).not.toBe(before);
    const w = scenarios[0]!.build(driver("correct-generic"));
    explore(w, { deadValues: false });
    expect(w.store.keepDeadValues).toBe(false);
  });

  it("retire() forgets a value only while the reduction is on, and undo brings it back", () => {
    const st = new Store();
    const horizon = st.alloc("dev.horizon");
    st.set(horizon, 5);
    const m = st.mark();
    st.retire(horizon);
    expect(st.get(horizon)).toBe(0);
    st.undo(m);
    expect(st.get(horizon)).toBe(5);
    st.keepDeadValues = true;
    st.retire(horizon);
    expect(st.get(horizon)).toBe(5);
  });

  it("must never be read by a step: the footprint recorder refuses", () => {
    const st = new Store();
    const rec = st.alloc("dev.observed[0]");
    st.markRecord(rec);
    st.beginFootprint();
    expect(() => st.get(rec)).toThrow(/record slot/);
    st.endFootprint();
    expect(st.get(rec)).toBe(0);
  });
});

describe("persistent sets", () => {
  it("cut states of the scaled munmap scenario, and only when switched on", () => {
    const w = () => scenarios[0]!.scaled!.build(driver("correct-generic"), undefined, { pages: 3, batch: 4 });
    const on = explore(w());
    const off = explore(w(), { persistentSets: false });
    expect(on.complete && off.complete).toBe(true);
    expect(on.states).toBeLessThan(off.states / 2);
    expect(on.persistentPruned).toBeGreaterThan(0);
    expect([off.persistentPruned, off.soloRuns]).toEqual([0, 0]);
  });

  /** Agents that each add 1 to a slot `times` times; agents given the same slot conflict. */
  function counters(slots: number[], times: number): Model {
    const store = new Store();
    const cells = new Map<number, number>();
    for (const c of slots) if (!cells.has(c)) cells.set(c, store.alloc(`c${c}`));
    const pcs = slots.map((_, a) => store.alloc(`pc${a}`));
    const quiet = { events: [], violations: [] };
    return {
      store,
      agentCount: slots.length,
      agentName: (a) => `a${a}`,
      enabled: (a) => store.get(pcs[a]!) < times,
      nextLabel: () => "add",
      step(a) {
        const c = cells.get(slots[a]!)!;
        store.set(c, store.get(c) + 1);
        store.set(pcs[a]!, store.get(pcs[a]!) + 1);
        return quiet;
      },
      finalCheck: () => [],
      setTracing: () => {},
    };
  }

  it("are given up where they prune little (the large scenarios), kept where they prune much", () => {
    const large = explore(largeScenarios.find((s) => s.name === "cow-large")!.build(driver("correct-generic")));
    expect(large.persistentGaveUp).toBe(true);
    const kept = explore(largeScenarios.find((s) => s.name === "cow-large")!.build(driver("correct-generic")), { persistentSets: "always" });
    expect(kept.persistentGaveUp).toBe(false);
    expect(kept.states).toBeLessThan(large.states);
    // Also without the IOMMU walk cache (model.freePageTables).
    const kernel = { model: { freePageTables: false } };
    const scaled = explore(scenarios[0]!.scaled!.build(driver("correct-generic"), kernel, { pages: 4, batch: 4 }));
    expect(scaled.persistentGaveUp).toBe(false);
    expect(scaled.states).toBeLessThan(explore(scenarios[0]!.scaled!.build(driver("correct-generic"), kernel, { pages: 4, batch: 4 }), { persistentSets: false }).states / 4);
  }, 120_000);

  it("step one of several agents that never touch a common slot, all of those that do", () => {
    // Four agents on their own slots: one order is enough, 4 * 3 + 1 states.
    const apart = explore(counters([0, 1, 2, 3], 3), { sleepSets: false, persistentSets: "always" });
    expect(apart.states).toBe(13);
    const full = explore(counters([0, 1, 2, 3], 3), { sleepSets: false, persistentSets: false });
    expect(full.states).toBe(4 ** 4);
    // Two agents on one slot: every interleaving of theirs (the counter's value is
    // shared), the other two one after the other.
    const shared = explore(counters([0, 0, 2, 3], 3), { sleepSets: false, persistentSets: "always" });
    expect(shared.states).toBe(explore(counters([0, 0], 3), { sleepSets: false, persistentSets: false }).states + 3 + 3);
  });

  it("see a violation an agent alone reaches, whatever the others do", () => {
    const base = counters([0, 1, 2], 4);
    // Agent 3 reports a violation on its second step; the others are independent of it.
    const pc = base.store.alloc("pc3");
    const m: Model = {
      ...base,
      agentCount: 4,
      agentName: (a) => `a${a}`,
      enabled: (a) => (a === 3 ? base.store.get(pc) < 2 : base.enabled(a)),
      step(a) {
        if (a !== 3) return base.step(a);
        base.store.set(pc, base.store.get(pc) + 1);
        if (base.store.get(pc) < 2) return { events: [], violations: [] };
        return { events: [], violations: [{ rule: "deadlock", kind: "liveness", message: "agent 3 reached its second step" }] };
      },
    };
    const always = { persistentSets: "always" } as const;
    for (const o of [always, { ...always, shortest: true }, { ...NONE }, { ...NONE, shortest: true }]) {
      const r = explore(m, o);
      expect(r.violation?.violation.message).toBe("agent 3 reached its second step");
      if ("shortest" in o) expect(r.violation?.schedule).toEqual([3, 3]);
    }
  });
  it("let steps that fill one cache entry with the same value commute, and not a plain reader of it", () => {
    // Agents 0 and 1 look up cache slot c and fill it with 7 on a miss (Store.beginFill);
    // agent 2, if there, reads c plainly and fails if it finds the entry filled.
    const make = (reader: boolean, fill: boolean): Model => {
      const store = new Store();
      const c = store.alloc("c");
      const pcs = [0, 1, 2].map((a) => store.alloc(`pc${a}`));
      return {
        store,
        agentCount: reader ? 3 : 2,
        agentName: (a) => `a${a}`,
        enabled: (a) => store.get(pcs[a]!) === 0,
        nextLabel: () => "step",
        step(a) {
          store.set(pcs[a]!, 1);
          if (a === 2) return store.get(c) === 7 ? { events: [], violations: [{ rule: "deadlock", kind: "liveness", message: "found the entry filled" }] } : { events: [], violations: [] };
          if (fill) store.beginFill();
          if (store.get(c) === 0) store.set(c, 7);
          if (fill) store.endFill();
          return { events: [], violations: [] };
        },
        finalCheck: () => [],
        setTracing: () => {},
      };
    };
    const opts = { persistentSets: "always", sleepSets: false } as const;
    // One order of the two fillers: 3 states, where plain accesses need all 4.
    expect(explore(make(false, true), opts).states).toBe(3);
    expect(explore(make(false, false), opts).states).toBe(4);
    for (const o of [opts, { persistentSets: "always" }, { persistentSets: "always", shortest: true }] as const) {
      expect(explore(make(true, true), o).violation?.schedule, JSON.stringify(o)).toEqual([0, 2]);
    }
  });

  it("keep a blocked agent an outsider: whatever could wake it joins the set", () => {
    // x fails if v is set; o sets go, which wakes m; m sets v. x's step writes a slot
    // m's guard reads, but a blocked m stays an outsider: on a path of outsiders o
    // wakes it and it runs, so o must join x's set, or o, m, x is never tried.
    const store = new Store();
    const [gx, go, v, dx, dox, dm] = ["gx", "go", "v", "dx", "do", "dm"].map((n) => store.alloc(n)) as [number, number, number, number, number, number];
    const quiet = { events: [], violations: [] };
    const m: Model = {
      store,
      agentCount: 3,
      agentName: (a) => ["x", "o", "m"][a]!,
      enabled: (a) => (a === 0 ? store.get(dx) === 0 : a === 1 ? store.get(dox) === 0 : store.get(gx) >= 0 && store.get(dm) === 0 && store.get(go) === 1),
      nextLabel: () => "step",
      step(a) {
        if (a === 1) {
          store.set(go, 1);
          store.set(dox, 1);
        } else if (a === 2) {
          store.set(v, 1);
          store.set(dm, 1);
        } else {
          const bad = store.get(v) === 1;
          store.set(gx, 1);
          store.set(dx, 1);
          if (bad) return { events: [], violations: [{ rule: "deadlock", kind: "liveness", message: "x saw v set" }] };
        }
        return quiet;
      },
      finalCheck: () => [],
      setTracing: () => {},
    };
    for (const o of [{ persistentSets: "always" }, { persistentSets: "always", sleepSets: false }, { persistentSets: "always", shortest: true }] as const) {
      expect(explore(m, o).violation?.schedule, JSON.stringify(o)).toEqual([1, 2, 0]);
    }
  });
});

describe("persistent sets: the cycle proviso", () => {
  it("expands a state whose reduced steps close a cycle, so that an agent left out is not ignored forever", () => {
    // a and c hand a turn back and forth for ever; b counts to 2 on its own slot.
    const store = new Store();
    const turn = store.alloc("turn");
    const b = store.alloc("b");
    const quiet = { events: [], violations: [] };
    const m: Model = {
      store,
      agentCount: 3,
      agentName: (a) => "acb"[a]!,
      enabled: (a) => (a === 0 ? store.get(turn) === 0 : a === 1 ? store.get(turn) === 1 : store.get(b) < 2),
      nextLabel: () => "step",
      step(a) {
        if (a === 2) store.set(b, store.get(b) + 1);
        else store.set(turn, 1 - store.get(turn));
        return quiet;
      },
      finalCheck: () => [],
      setTracing: () => {},
    };
    // Without the proviso the search would go round a and c only: 2 of the 6 states.
    const r = explore(m, { sleepSets: false, persistentSets: "always" });
    expect(r.provisoExpansions).toBeGreaterThan(0);
    expect(r.states).toBe(6);
    expect(explore(m, { sleepSets: false, persistentSets: false }).states).toBe(6);
  });
});

describe("notebook 10's growth figures", () => {
  it("deviceCombinations: the proof reaches every combination of the devices' own states, 5^N", async () => {
    const { deviceCombinations } = await import("../../src/course/growth");
    const rows = deviceCombinations(3);
    expect(rows.map((r) => r.combinations)).toEqual([5, 25, 125]);
    for (const r of rows) expect(r.states).toBeGreaterThan(r.combinations);
    expect(() => deviceCombinations(0)).toThrow(/maxN must be a positive integer/);
  });

  it("munmapGrowth: the reduced search visits fewer states than the unreduced one, at every N", async () => {
    const { munmapGrowth } = await import("../../src/course/growth");
    const g = munmapGrowth(2);
    expect(g.map((p) => p.n)).toEqual([1, 2]);
    for (const p of g) expect(p.reduced.states).toBeLessThan(p.full.states);
    expect(g[1]!.full.states).toBeGreaterThan(g[0]!.full.states);
    expect(() => munmapGrowth(0)).toThrow(/maxN must be a positive integer/);
  });
});
