import { describe, expect, it } from "vitest";
import { Store } from "../sim/store";
import { runRandom, runSchedule, runStraight } from "./run";
import { atomicCounter, racyCounter, ToyModel, twoPreemptions } from "./testing/toy";

describe("runStraight", () => {
  it("runs the lowest enabled agent until it finishes, then the next", () => {
    const t = runStraight(twoPreemptions());
    expect(t.steps.map((s) => [s.index, s.agentName, s.label])).toEqual([
      [1, "writer", "x = 1"],
      [2, "writer", "x = 2"],
      [3, "reader", "r = x"],
      [4, "reader", "check x"],
    ]);
    expect(t.violation).toBeUndefined();
    expect(t.complete).toBe(true);
  });

  it("moves on when the running agent blocks, and keeps the new agent until it stops", () => {
    const store = new Store();
    const flag = store.alloc("flag");
    const m = new ToyModel(store, [
      { name: "waiter", steps: [{ label: "wait flag", guard: () => store.get(flag) === 1, run: () => {} }] },
      {
        name: "setter",
        steps: [
          { label: "flag = 1", run: () => store.set(flag, 1) },
          { label: "tidy", run: () => {} },
        ],
      },
    ]);
    expect(runStraight(m).steps.map((s) => s.agent)).toEqual([1, 1, 0]);
  });

  it("records events and reports a final-check violation", () => {
    const store = new Store();
    const m = new ToyModel(store, [{ name: "a", steps: [{ label: "say", run: (log) => log("hello") }] }], () => [
      { rule: "deadlock", kind: "liveness", message: "stuck" },
    ]);
    const t = runStraight(m);
    expect(t.steps[0]!.events).toEqual(["hello"]);
    expect(t.violation?.rule).toBe("deadlock");
  });

  it("stops at maxSteps and says the run is incomplete", () => {
    const t = runStraight(atomicCounter(2, 2), { maxSteps: 3 });
    expect(t.steps).toHaveLength(3);
    expect(t.complete).toBe(false);
  });
});

describe("runSchedule", () => {
  it("replays a schedule and runs the final check at the end", () => {
    const t = runSchedule(racyCounter(2, 1), [0, 1, 0, 1]);
    expect(t.steps.map((s) => s.agent)).toEqual([0, 1, 0, 1]);
    expect(t.violation?.rule).toBe("lost-write");
    expect(runSchedule(racyCounter(2, 1), [0, 0, 1, 1]).violation).toBeUndefined();
  });

  it("stops at a violating step", () => {
    const t = runSchedule(racyCounter(2, 1, "step"), [0, 1, 0, 1]);
    expect(t.steps).toHaveLength(4);
    expect(t.violation?.message).toMatch(/t1 overwrote/);
  });

  it("throws a clear error for an agent that is not enabled or does not exist", () => {
    expect(() => runSchedule(racyCounter(2, 1), [0, 0, 0])).toThrow(/step 3 schedules agent 0 \(t0\), which is not enabled; enabled: 1 \(t1\)/);
    expect(() => runSchedule(racyCounter(2, 1), [2])).toThrow(/agents 0\.\.1/);
  });
});

describe("runRandom", () => {
  it("is deterministic for a seed and restores the start state", () => {
    const m = racyCounter(3, 2);
    const before = m.store.dump();
    const a = runRandom(m, { seed: 42, runs: 50 });
    expect(m.store.dump()).toEqual(before);
    const b = runRandom(m, { seed: 42, runs: 50 });
    expect(a.violation).toBeDefined();
    expect(b.violation?.schedule).toEqual(a.violation?.schedule);
    expect([b.runs, b.steps]).toEqual([a.runs, a.steps]);
    expect(a.violation!.trace.steps.map((s) => s.agent)).toEqual(a.violation!.schedule);
    expect(a.violation!.trace.steps[0]!.events.length).toBeGreaterThan(0);
  });

  it("different seeds give different schedules", () => {
    const scheds = new Set<string>();
    for (let seed = 1; seed <= 10; seed++) scheds.add(String(runRandom(racyCounter(3, 2), { seed, runs: 50 }).violation?.schedule));
    expect(scheds.size).toBeGreaterThan(1);
  });

  it("runs every run to the end when nothing goes wrong", () => {
    const r = runRandom(atomicCounter(2, 2), { seed: 7, runs: 25 });
    expect(r.violation).toBeUndefined();
    expect(r.runs).toBe(25);
    expect(r.steps).toBe(25 * 4);
  });

  it("cuts runs at maxSteps", () => {
    const r = runRandom(atomicCounter(2, 2), { seed: 7, runs: 3, maxSteps: 1 });
    expect(r.steps).toBe(3);
  });
});
