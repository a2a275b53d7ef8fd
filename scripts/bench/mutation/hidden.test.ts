// What StrykerJS runs on each mutant of a reference solution (scripts/bench/mutation.mjs):
// every hidden test of each kata on its solution, one vitest test per case, so that a
// mutant is tried only on the cases that reach its code (coverage per test). Each case
// evaluates the solution afresh, as the grader does (src/kata/worker.ts): with a module
// cached across cases, its top-level code (an ops table, a constant, a diagnosis computed
// at load) would count as reached by the first case only, and StrykerJS would try a
// mutant of it on that case alone.
import { test, expect } from "vitest";
import path from "node:path";
import { listKatas, runCase, type KataSuite } from "tlbkata";

const ROOT = path.resolve(__dirname, "../../..");
let loads = 0;
const only = process.env.MUTATION_KATAS ? process.env.MUTATION_KATAS.split(",") : null;

for (const k of listKatas(ROOT).filter((x) => x.solution && (!only || only.includes(x.id)))) {
  for (const h of k.hidden) {
    const suite = ((await import(h)) as { default: KataSuite<unknown> }).default;
    suite.cases.forEach((c, i) => {
      test(`${k.id} / ${suite.title} / ${c.name}`, async () => {
        // A query makes it a module of its own; "tlbkata", which it imports, stays shared.
        const impl = (await import(`${k.solution!}?case=${++loads}`)) as Record<string, unknown>;
        const r = runCase(suite, i, impl);
        expect(r.ok, r.message).toBe(true);
      });
    });
  }
}
