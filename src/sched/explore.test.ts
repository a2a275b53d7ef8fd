import { describe, expect, it } from "vitest";
import { Store } from "../sim/store";
import { explore, type ExploreOptions } from "./explore";
import type { Model } from "./model";
import { runSchedule } from "./run";
import { bfs, brute, shortestWithin } from "./testing/brute";
import { atomicCounter, independentAgents, racyCounter, randomProgram, ToyModel, twoPreemptions } from "./testing/toy";

/** Every state the search visits: persistent sets off unless asked for (they visit fewer). */
function fingerprints(model: Model, opts: ExploreOptions = {}): { set: Set<number>; transitions: number; states: number } {
  const set = new Set<number>();
  const r = explore(model, { persistentSets: false, ...opts, onState: (fp) => set.add(fp) });
  expect(r.complete).toBe(true);
  return { set, transitions: r.transitions, states: r.states };
}

describe("explore: finding races", () => {
  it("finds the lost update in a non-atomic counter, with a replayable trace", () => {
    const m = racyCounter(2, 1);
    const r = explore(m);
    expect(r.violation?.violation.rule).toBe("lost-write");
    const t = r.violation!.trace;
    expect(t.steps.map((s) => s.agent)).toEqual(r.violation!.schedule);
    expect(t.steps[0]!.events).toEqual(["reg = 0"]); // replayed with tracing on
    expect(runSchedule(racyCounter(2, 1), r.violation!.schedule).violation?.rule).toBe("lost-write");
  });

  it("with shortest, returns a shortest counterexample", () => {
    // The DFS meets a long one first (t0 runs two increments before t1 starts).
    const first = explore(racyCounter(2, 3, "step"));
    expect(first.violation!.schedule.length).toBeGreaterThan(4);
    // Minimal: load, load, store, store.
    for (const por of [true, false]) {
      const r = explore(racyCounter(2, 3, "step"), { shortest: true, por });
      expect(r.violation!.schedule).toHaveLength(4);
      expect(r.violation!.trace.steps).toHaveLength(4);
      expect(r.complete).toBe(true);
    }
  });

  it("stops at a violation found by the final check", () => {
    const r = explore(racyCounter(3, 1), { shortest: true });
    expect(r.violation!.schedule).toHaveLength(6);
    expect(r.violation!.violation.message).toMatch(/counter is [12], expected 3/);
  });
});

describe("explore: counting", () => {
  it("a race-free model is complete with the exact state count", () => {
    // Two agents, two atomic increments each: states are (pc0, pc1) in 3 x 3, the
    // counter being pc0 + pc1; transitions are 2 * (3 * 2).
    const r = explore(atomicCounter(2, 2), { por: false, persistentSets: false });
    expect(r).toMatchObject({ complete: true, states: 9, transitions: 12, maxDepth: 4 });
    expect(r.violation).toBeUndefined();
    expect(explore(atomicCounter(2, 2), { persistentSets: false }).states).toBe(9);
    // Three agents with private counters, two steps each: 3^3 states.
    expect(explore(independentAgents(3, 2), { persistentSets: false })).toMatchObject({ complete: true, states: 27, maxDepth: 6 });
    // With persistent sets, one order of the three: 3 * 2 + 1 states (by default only
    // models of PERSISTENT_MIN_AGENTS agents or more use them).
    expect(explore(independentAgents(3, 2), { persistentSets: "always" })).toMatchObject({ complete: true, states: 7, maxDepth: 6 });
    expect(explore(independentAgents(3, 2))).toMatchObject({ states: 27, persistentUsed: false });
  });

  it("gives up at maxStates", () => {
    const r = explore(independentAgents(3, 2), { maxStates: 10, persistentSets: false });
    expect(r.complete).toBe(false);
    expect(r.states).toBe(10);
  });

  it("reports each distinct state once to onState", () => {
    const seen: number[] = [];
    const r = explore(independentAgents(3, 2), { persistentSets: false, onState: (fp) => seen.push(fp) });
    expect(seen).toHaveLength(27);
    expect(new Set(seen).size).toBe(27);
    expect(r.states).toBe(27);
  });
});

describe("explore: partial-order reduction", () => {
  it("visits the same states with strictly fewer transitions on independent agents", () => {
    const plain = fingerprints(independentAgents(3, 2), { por: false });
    const reduced = fingerprints(independentAgents(3, 2));
    expect(plain.transitions).toBe(54); // each agent steps from the 3*3*2 states where it is not done
    expect(reduced.transitions).toBeLessThan(plain.transitions);
    expect(reduced.set).toEqual(plain.set);
  });

  it("treats a step that unblocks another agent as dependent on it", () => {
    // b's only step is enabled while flag is 0 and does nothing else, so only the
    // guard's read of flag makes a's "flag = 1" dependent on it.
    const store = new Store();
    const flag = store.alloc("flag");
    const other = store.alloc("other");
    const m = new ToyModel(
      store,
      [
        {
          name: "a",
          steps: [
            { label: "other = 1", run: () => store.set(other, 1) },
            { label: "flag = 1", run: () => store.set(flag, 1) },
          ],
        },
        { name: "b", steps: [{ label: "flag still 0", guard: () => store.get(flag) === 0, run: () => {} }] },
      ],
    );
    expect(fingerprints(m).set).toEqual(fingerprints(m, { por: false }).set);
  });

  it("copes with footprints of thousands of slots", () => {
    // Like a huge page's 512 PTEs: each step touches many slots, some shared.
    const store = new Store();
    const big = Array.from({ length: 3000 }, (_, i) => store.alloc(`pte${i}`));
    const shared = store.alloc("shared");
    const sweep = (from: number) => () => {
      for (let i = from; i < from + 1000; i++) store.set(big[i]!, store.get(big[i]!) + 1);
    };
    const m = new ToyModel(store, [
      { name: "a", steps: [{ label: "sweep low", run: sweep(0) }, { label: "shared++", run: () => store.set(shared, store.get(shared) + 1) }] },
      { name: "b", steps: [{ label: "sweep high", run: sweep(2000) }, { label: "shared *= 2", run: () => store.set(shared, store.get(shared) * 2) }] },
      { name: "c", steps: [{ label: "sweep mid", run: sweep(1000) }] },
    ]);
    const plain = fingerprints(m, { por: false });
    const reduced = fingerprints(m);
    expect(reduced.set).toEqual(plain.set);
    expect(reduced.transitions).toBeLessThan(plain.transitions);
  });

  it("agrees with brute force on random programs: same states, same shortest violation", () => {
    for (let seed = 1; seed <= 400; seed++) {
      const opts = { maxSteps: seed % 2 ? 4 : 3, agents: seed % 2 ? 2 : 3 };
      const quiet = brute(randomProgram(seed, { ...opts, checks: false }));
      for (const por of [true, false]) {
        const got = fingerprints(randomProgram(seed, { ...opts, checks: false }), { por });
        expect(got.set, `seed ${seed} por ${por}`).toEqual(quiet.states);
      }
      const ref = shortestWithin(brute(randomProgram(seed, opts)));
      for (const por of [true, false]) {
        for (const persistentSets of ["always", false] as const) {
          const tag = `seed ${seed} por ${por} persistent ${persistentSets}`;
          const any = explore(randomProgram(seed, opts), { por, persistentSets });
          expect(any.violation !== undefined, tag).toBe(ref < Infinity);
          const best = explore(randomProgram(seed, opts), { por, persistentSets, shortest: true });
          expect(best.violation?.schedule.length ?? Infinity, tag).toBe(ref);
        }
      }
    }
  });
});

describe("explore: programs with loops", () => {
  // Jumps make one state reachable at several depths and put cycles in the graph:
  // this is what exercises re-exploring a state reached shallower (shortest) or with
  // fewer preemptions (bounded). Seeds 49 and 491 once caught such bugs.
  const configs = [
    { agents: 3, maxSteps: 4, loops: true },
    { agents: 2, maxSteps: 5, loops: true },
  ];
  it("agrees with breadth-first search on states and shortest violations", () => {
    for (let seed = 1; seed <= 500; seed++) {
      for (const o of configs) {
        const tag = `seed ${seed} ${JSON.stringify(o)}`;
        const want = bfs(randomProgram(seed, { ...o, checks: false })).states;
        for (const por of [true, false]) expect(fingerprints(randomProgram(seed, { ...o, checks: false }), { por }).set, tag).toEqual(want);
        const ref = bfs(randomProgram(seed, o)).shortest;
        for (const por of [true, false]) {
          for (const persistentSets of ["always", false] as const) {
            const r = explore(randomProgram(seed, o), { por, persistentSets, shortest: true });
            expect(r.violation?.schedule.length ?? Infinity, `${tag} por ${por} persistent ${persistentSets}`).toBe(ref);
            const any = explore(randomProgram(seed, o), { por, persistentSets });
            expect(any.violation !== undefined, `${tag} por ${por} persistent ${persistentSets}`).toBe(ref < Infinity);
          }
        }
      }
    }
  });

  it("agrees with breadth-first search under preemption bounds 0..2", () => {
    for (let seed = 1; seed <= 500; seed++) {
      for (const o of configs) {
        for (const b of [0, 1, 2]) {
          const ref = bfs(randomProgram(seed, o), b).shortest;
          const r = explore(randomProgram(seed, o), { preemptionBound: b, shortest: true });
          expect(r.violation?.schedule.length ?? Infinity, `seed ${seed} ${JSON.stringify(o)} bound ${b}`).toBe(ref);
          const any = explore(randomProgram(seed, o), { preemptionBound: b });
          expect(any.violation !== undefined, `seed ${seed} ${JSON.stringify(o)} bound ${b}`).toBe(ref < Infinity);
        }
      }
    }
  });
});

describe("explore: preemption bound", () => {
  it("misses a bug that needs two preemptions with bound 1, finds it with bound 2", () => {
    for (const b of [0, 1]) {
      const r = explore(twoPreemptions(), { preemptionBound: b });
      expect(r.violation).toBeUndefined();
      expect(r.complete).toBe(true);
    }
    const r = explore(twoPreemptions(), { preemptionBound: 2 });
    expect(r.violation?.schedule).toEqual([1, 0, 1]);
    expect(explore(twoPreemptions()).violation).toBeDefined();
  });

  it("bound 0 runs agents to completion one after another", () => {
    // Only the two serial orders remain: the start, 4 states along t0 t0 t1 t1, and
    // 3 more along t1 t1 t0 t0 (the end state is shared).
    const r = explore(atomicCounter(2, 2), { preemptionBound: 0 });
    expect(r.states).toBe(1 + 4 + 3);
  });

  it("agrees with brute force on random programs for bounds 0..2", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const opts = { maxSteps: 3, agents: seed % 2 ? 2 : 3 };
      const ref = brute(randomProgram(seed, opts));
      for (const b of [0, 1, 2]) {
        const want = shortestWithin(ref, b);
        const found = explore(randomProgram(seed, opts), { preemptionBound: b });
        expect(found.violation !== undefined, `seed ${seed} bound ${b}`).toBe(want < Infinity);
        const best = explore(randomProgram(seed, opts), { preemptionBound: b, shortest: true });
        expect(best.violation?.schedule.length ?? Infinity, `seed ${seed} bound ${b}`).toBe(want);
      }
    }
  });
});

describe("explore: leaves the model as it found it", () => {
  const cases: [string, () => Model, ExploreOptions][] = [
    ["violation", () => racyCounter(2, 2), {}],
    ["shortest", () => racyCounter(2, 2, "step"), { shortest: true }],
    ["bounded", () => twoPreemptions(), { preemptionBound: 2 }],
    ["no violation", () => atomicCounter(3, 2), {}],
    ["gave up", () => atomicCounter(3, 2), { maxStates: 5 }],
  ];
  for (const [name, make, opts] of cases) {
    it(name, () => {
      const m = make();
      // Move off the allocation state first, so "initial" is a state with history.
      m.step(0);
      const before = m.store.dump();
      const fp = m.store.fingerprint();
      const mark = m.store.mark();
      explore(m, opts);
      expect(m.store.dump()).toEqual(before);
      expect(m.store.fingerprint()).toBe(fp);
      expect(m.store.mark()).toBe(mark);
    });
  }

  it("steps with tracing off while searching and on for the replay", () => {
    const base = racyCounter(2, 2);
    let tracedSteps = 0;
    let quietSteps = 0;
    let tracing = true;
    const watched: Model = {
      store: base.store,
      agentCount: base.agentCount,
      agentName: (a) => base.agentName(a),
      enabled: (a) => base.enabled(a),
      nextLabel: (a) => base.nextLabel(a),
      step: (a) => {
        if (tracing) tracedSteps++;
        else quietSteps++;
        return base.step(a);
      },
      finalCheck: () => base.finalCheck(),
      setTracing: (on) => {
        tracing = on;
        base.setTracing(on);
      },
    };
    // (Persistent sets also step agents alone to learn their futures, quietly.)
    const r = explore(watched, { persistentSets: false });
    expect(quietSteps).toBe(r.transitions);
    expect(tracedSteps).toBe(r.violation!.schedule.length);
    tracedSteps = 0;
    const p = explore(watched);
    expect(tracedSteps).toBe(p.violation!.schedule.length);
  });
});
