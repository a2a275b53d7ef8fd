/**
 * Cases the katas that plug a driver into the simulation grade the same way: coherence
 * on a scenario under every interleaving, and the two rules of invalidate_secondary_tlbs
 * that do not depend on the hardware behind it (vendor katas 05 to 08).
 */
import type { DriverSpec } from "../drivers/driver";
import { require_, type KataCase } from "./suite";
import { expectCoherent, runScenarioStraight, scenarioName, type ScenarioOptions, type ScenarioRef } from "./checks";

/** Scenario options, fixed or made from the learner's module (a kernel hook built from it). */
export type CaseOptions<I> = ScenarioOptions | ((impl: I) => ScenarioOptions);
const optionsFor = <I>(o: CaseOptions<I>, impl: I): ScenarioOptions => (typeof o === "function" ? o(impl) : o);

/** "SCENARIO: what": every interleaving of `scenario` with the learner's driver is coherent. */
export function coherenceCase<I>(scenario: ScenarioRef, points: number, what: string, driver: (impl: I) => DriverSpec, opts: CaseOptions<I> = {}): KataCase<I> {
  return {
    name: `${scenarioName(scenario)}: ${what}`,
    points,
    run: (impl) => expectCoherent(scenario, driver(impl), optionsFor(opts, impl)),
  };
}

/** "SCENARIO, run straight: what": one run in the scenario's own order breaks no rule (for bugs that need no race). */
export function straightCase<I>(scenario: ScenarioRef, points: number, what: string, driver: (impl: I) => DriverSpec, opts: CaseOptions<I> = {}): KataCase<I> {
  return {
    name: `${scenarioName(scenario)}, run straight: ${what}`,
    points,
    run: (impl) => void runScenarioStraight(scenario, driver(impl), optionsFor(opts, impl)),
  };
}

/** Reclaim must reach the driver through invalidate_secondary_tlbs, not start/end. */
export function callsInvalidateSecondaryTlbs<I>(driver: (impl: I) => DriverSpec): KataCase<I> {
  return {
    name: "binding registers an ops table with invalidate_secondary_tlbs only, and it is called",
    points: 1,
    run(impl) {
      const w = runScenarioStraight("reclaim", driver(impl));
      require_(w.k.mn.calls.invalidate_secondary_tlbs > 0, "invalidate_secondary_tlbs was never called: the ops table must provide it");
    },
  };
}

/** Migration calls the op under the ptl: the oracle reports sleeping or a lock kept past return. */
export function doesNotSleepUnderPtl<I>(driver: (impl: I) => DriverSpec): KataCase<I> {
  return {
    name: "invalidate_secondary_tlbs neither sleeps nor returns holding a lock (it runs under the ptl)",
    points: 1,
    run: (impl) => void runScenarioStraight("migration", driver(impl)),
  };
}

/** What a straight run cost: the commands each IOMMU was sent, by kind, and how often the op was called. */
export interface RunCost {
  readonly commands: Readonly<Record<string, number>>;
  readonly total: number;
  readonly calls: number;
}

/**
 * "SCENARIO, run straight: what": one run breaks no rule, and `judge` accepts what it
 * cost (it returns why not, in kernel words, or null). A cheap check that a per-page
 * loop or a needlessly wide flush cannot pass.
 */
export function costCase<I>(scenario: ScenarioRef, points: number, what: string, driver: (impl: I) => DriverSpec, judge: (c: RunCost) => string | null, opts: CaseOptions<I> = {}): KataCase<I> {
  return {
    name: `${scenarioName(scenario)}, run straight: ${what}`,
    points,
    run(impl) {
      const w = runScenarioStraight(scenario, driver(impl), optionsFor(opts, impl));
      const commands: Record<string, number> = {};
      for (const io of w.k.iommus) for (const [kind, n] of Object.entries(io.cost)) commands[kind] = (commands[kind] ?? 0) + n;
      const total = Object.values(commands).reduce((a, b) => a + b, 0);
      const why = judge({ commands, total, calls: w.k.mn.calls.invalidate_secondary_tlbs });
      require_(why === null, why ?? "");
    },
  };
}

/** Commands by kind, most frequent first: "1024 CMD_TLBI_NH_VA, 2 CMD_SYNC". */
export function describeCost(c: Readonly<Record<string, number>>): string {
  const parts = Object.entries(c)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n} ${k}`);
  return parts.length ? parts.join(", ") : "no command";
}
