/**
 * The issue-2 acceptance checks: each wrong generic driver is caught by the rule it
 * breaks, the correct one is proven coherent by exhaustive exploration, and each
 * detection depends on the oracle (switched off, the same run finds nothing).
 */
import { describe, expect, it } from "vitest";
import { scenarios, largeScenarios, EINVAL, Kernel, mmu_notifier, type mmu_notifier_ops } from "tlbkata";
import { findViolation, driver } from "./helpers";

interface Case {
  readonly scenario: string;
  readonly driver: string;
  readonly rules: readonly string[];
  readonly disable?: readonly ("stale-tlb-after-ptl-release" | "stale-tlb-at-free")[];
}

const CAUGHT: readonly Case[] = [
  { scenario: "munmap", driver: "start-only", rules: ["stale-tlb-at-free", "use-after-free", "corruption"] },
  { scenario: "reclaim", driver: "start-only", rules: ["stale-tlb-after-ptl-release", "stale-tlb-at-free", "use-after-free", "corruption", "lost-write"] },
  { scenario: "munmap", driver: "end-only", rules: ["stale-tlb-at-free", "use-after-free", "corruption"] },
  { scenario: "cow", driver: "end-only", rules: ["stale-tlb-after-ptl-release"] },
  // The observable harm behind that rule: the device sees the writes out of order.
  { scenario: "cow", driver: "end-only", rules: ["ordering"], disable: ["stale-tlb-after-ptl-release"] },
  { scenario: "munmap", driver: "sleeps", rules: ["sleep-in-atomic"] },
  { scenario: "munmap", driver: "both-ops", rules: ["invalid-ops"] },
];

describe.each(CAUGHT)("$driver on $scenario", (c) => {
  it(`is caught (${c.rules.join(" | ")})`, () => {
    const r = findViolation(c.scenario, c.driver, { disable: c.disable });
    expect(r.violation, "a violation must be found").not.toBeNull();
    expect(c.rules).toContain(r.violation!.rule);
    expect(r.violation!.message.length).toBeGreaterThan(20);
  });

  it("is not caught with the oracle switched off (the test above depends on the oracle)", () => {
    const r = findViolation(c.scenario, c.driver, { oracle: false, disable: c.disable });
    expect(r.violation).toBeNull();
    expect(r.complete).toBe(true);
  });
});

describe("end-only on munmap", () => {
  it("is caught only because the mmu_gather batch fills: with one page there is nothing freed before range_end", () => {
    // The full-batch flush frees pages before invalidate_range_end; that is the bug.
    const r = findViolation("munmap", "end-only");
    expect(r.violation!.rule).toBe("stale-tlb-at-free");
    expect(r.violation!.message).toMatch(/freed while/);
  });
});

describe("both-ops", () => {
  it("gets -EINVAL from __mmu_notifier_register and exactly one warning, however often it registers", () => {
    const k = new Kernel();
    const both: mmu_notifier_ops = {
      name: "both",
      invalidate_secondary_tlbs: () => {},
      invalidate_range_start: () => 0,
    };
    const mm = k.mm_alloc("proc");
    const rets = k.sim.setup(() => [1, 2, 3].map((i) => k.mn.mmu_notifier_register(new mmu_notifier(k.sim, both, `n${i}`), mm)));
    expect(rets).toEqual([-EINVAL, -EINVAL, -EINVAL]);
    expect(k.mn.warnings.fired).toHaveLength(1);
    expect(k.mn.warnings.fired[0]).toMatch(/both invalidate_secondary_tlbs and invalidate_range_start/);
    expect(k.mn.mm_has_notifiers(mm)).toBe(false);
  });

  it("the built-in both-ops driver is refused at bind time in every scenario", () => {
    for (const s of scenarios) {
      const w = s.build(driver("both-ops"));
      expect(w.setupViolations.map((v) => v.rule)).toEqual(["invalid-ops"]);
      expect(w.k.mn.warnings.fired).toHaveLength(1);
    }
  });

  it("a subscription with only one kind registers fine", () => {
    const k = new Kernel();
    const mm = k.mm_alloc("proc");
    const ok = k.sim.setup(() => k.mn.mmu_notifier_register(new mmu_notifier(k.sim, { invalidate_secondary_tlbs: () => {} }, "n"), mm));
    expect(ok).toBe(0);
    expect(k.mn.warnings.fired).toHaveLength(0);
  });
});

/** Exhaustive exploration of `name` with correct-generic finishes, finds nothing, and visits more than `minStates` states. */
function expectProvenCoherent(name: string, minStates: number): void {
  const r = findViolation(name, "correct-generic");
  expect(r.violation).toBeNull();
  expect(r.complete).toBe(true);
  expect(r.states).toBeGreaterThan(minStates);
}

describe("correct-generic", () => {
  it.each(scenarios.map((s) => s.name))("is proven coherent on %s by exhaustive exploration", (name) => expectProvenCoherent(name, 10));
});

describe("the large scenarios (for throughput)", () => {
  it.each(largeScenarios.map((s) => s.name))("%s: correct-generic is proven coherent over more than 200k states; start-only and end-only are caught", (name) => {
    expectProvenCoherent(name, 200_000);
    for (const wrong of ["start-only", "end-only"]) {
      const r = findViolation(name, wrong);
      expect(["stale-tlb-at-free", "stale-tlb-after-ptl-release"], `${wrong} on ${name}`).toContain(r.violation?.rule);
    }
  });
});
