/**
 * Kata 03's race, found by the explorer on its own: the hunt's search finds the
 * corrupting interleaving of the driver as shipped without any hint, and the trace
 * it shows is a shortest one (as long as breadth-first search's). How long the
 * search takes is reported by `npm run bench` (scripts/bench/katas.mjs), not asserted.
 */
import { describe, test, expect } from "vitest";
import { explore, huntAccel, accelHuntWorld, accelMunmapScenario, accelDriver, shippedAccelOps } from "tlbkata";
import { bfs } from "../../src/sched/testing/brute";

describe("kata 03: the start/end race", () => {
  test("a plain search of the hunt's world finds a device access to freed memory", () => {
    const r = explore(accelHuntWorld(shippedAccelOps));
    expect(r.violation?.violation.kind).toBe("corruption");
  });

  test("the hunt's trace is a shortest counterexample (breadth-first search agrees)", () => {
    const cx = huntAccel(shippedAccelOps)!;
    expect(cx.violation.kind).toBe("corruption");
    expect(cx.trace.steps.length).toBe(bfs(accelHuntWorld(shippedAccelOps)).shortest);
  });

  test("with every rule on, the shortest search stops at the stale entry, as short as breadth-first search finds", () => {
    const r = explore(accelMunmapScenario.build(accelDriver(shippedAccelOps)), { shortest: true });
    expect(r.violation?.violation.rule).toBe("stale-tlb-at-free");
    expect(r.violation!.trace.steps.length).toBe(bfs(accelMunmapScenario.build(accelDriver(shippedAccelOps))).shortest);
  });
});
