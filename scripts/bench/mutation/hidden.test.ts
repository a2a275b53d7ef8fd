// What StrykerJS runs on each mutant of a reference solution (scripts/bench/mutation.mjs):
// every hidden test of each kata on its solution, one vitest test per case, so that a
// mutant is tried only on the cases that reach its code (coverage per test).
import { test, expect } from "vitest";
import path from "node:path";
import { listKatas, runCase, type KataSuite } from "tlbkata";

const ROOT = path.resolve(__dirname, "../../..");
const only = process.env.MUTATION_KATAS ? process.env.MUTATION_KATAS.split(",") : null;

for (const k of listKatas(ROOT).filter((x) => x.solution && (!only || only.includes(x.id)))) {
  for (const h of k.hidden) {
    const suite = ((await import(h)) as { default: KataSuite<unknown> }).default;
    suite.cases.forEach((c, i) => {
      test(`${k.id} / ${suite.title} / ${c.name}`, async () => {
        const impl = (await import(k.solution!)) as Record<string, unknown>;
        const r = runCase(suite, i, impl);
        expect(r.ok, r.message).toBe(true);
      });
    });
  }
}
