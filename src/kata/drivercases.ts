/**
 * Cases the katas that plug a driver into the simulation grade the same way: coherence
 * on a scenario under every interleaving, and the two rules of invalidate_secondary_tlbs
 * that do not depend on the hardware behind it (vendor katas 05 to 08).
 */
import type { DriverSpec } from "../drivers/driver";
import { require_, type KataCase } from "./suite";
import type { RuleId } from "../oracle/violation";
import type { World } from "../sim/world";
import { expectCoherent, runScenarioStraight, buildScenario, runBuiltStraight, scenarioName, COHERENCE_RULES, type ScenarioOptions, type ScenarioRef } from "./checks";

/** Scenario options, fixed or made from the learner's module (a kernel hook built from it). */
export type CaseOptions<I> = ScenarioOptions | ((impl: I) => ScenarioOptions);
const optionsFor = <I>(o: CaseOptions<I>, impl: I): ScenarioOptions => (typeof o === "function" ? o(impl) : o);

/** A case that grades `grades` only: its runs report no other rule. */
function graded<I>(grades: readonly RuleId[], c: Omit<KataCase<I>, "grades" | "run"> & { run(impl: I, o: Pick<ScenarioOptions, "grades">): void }): KataCase<I> {
  return { name: c.name, points: c.points, grades, run: (impl) => c.run(impl, { grades }) };
}

const commandsSent = (w: World): number => w.k.iommus.reduce((n, io) => n + io.totalCommands(), 0);

/**
 * Run `scenario` straight, graded on `g`. Pay nothing for nothing: a rule of how the
 * invalidation is done is graded only once the driver sends the hardware something
 * after binding (an empty callback breaks no such rule).
 */
export function straightWithWork(scenario: ScenarioRef, driver: DriverSpec, g: ScenarioOptions = {}): World {
  const w = buildScenario(scenario, driver, g);
  const bound = commandsSent(w);
  runBuiltStraight(scenario, w);
  require_(commandsSent(w) > bound, `not graded yet: on the ${scenarioName(scenario)} scenario your driver sent the hardware no invalidation at all, so there is nothing this rule could judge`);
  return w;
}

/** The locking rules a callback under the ptl can break by sleeping or keeping a lock. */
export const SLEEP_RULES: readonly RuleId[] = ["sleep-in-atomic", "lock-held-on-return"];

/** "SCENARIO: what": every interleaving of `scenario` with the learner's driver is coherent. */
export function coherenceCase<I>(scenario: ScenarioRef, points: number, what: string, driver: (impl: I) => DriverSpec, opts: CaseOptions<I> = {}): KataCase<I> {
  return graded(COHERENCE_RULES, {
    name: `${scenarioName(scenario)}: ${what}`,
    points,
    run: (impl, g) => expectCoherent(scenario, driver(impl), { ...optionsFor(opts, impl), ...g }),
  });
}

/** "SCENARIO, run straight: what": one run in the scenario's own order breaks no rule (for bugs that need no race). */
export function straightCase<I>(scenario: ScenarioRef, points: number, what: string, driver: (impl: I) => DriverSpec, opts: CaseOptions<I> = {}): KataCase<I> {
  return graded(COHERENCE_RULES, {
    name: `${scenarioName(scenario)}, run straight: ${what}`,
    points,
    run: (impl, g) => void runScenarioStraight(scenario, driver(impl), { ...optionsFor(opts, impl), ...g }),
  });
}

/** Reclaim must reach the driver through invalidate_secondary_tlbs, not start/end. */
export function callsInvalidateSecondaryTlbs<I>(driver: (impl: I) => DriverSpec): KataCase<I> {
  return graded([], {
    name: "binding registers an ops table with invalidate_secondary_tlbs only, and it is called",
    points: 1,
    run(impl, g) {
      const w = straightWithWork("reclaim", driver(impl), g);
      require_(w.k.mn.calls.invalidate_secondary_tlbs > 0, "invalidate_secondary_tlbs was never called: the ops table must provide it");
    },
  });
}

/**
 * Reclaim (try_to_unmap_one) calls the op under the ptl: the oracle reports sleeping
 * or a lock kept past return. (Not migration: it leaves the flush to
 * invalidate_range_end, outside the ptl.)
 */
export function doesNotSleepUnderPtl<I>(driver: (impl: I) => DriverSpec): KataCase<I> {
  return graded(SLEEP_RULES, {
    name: "invalidate_secondary_tlbs neither sleeps nor returns holding a lock (reclaim calls it under the ptl)",
    points: 1,
    run: (impl, g) => void straightWithWork("reclaim", driver(impl), g),
  });
}

/** What a straight run cost: the commands each IOMMU was sent, by kind, and how often the op was called. */
export interface RunCost {
  readonly commands: Readonly<Record<string, number>>;
  readonly total: number;
  readonly calls: number;
}

/**
 * "SCENARIO, run straight: what": `judge` accepts what one run cost (it returns why
 * not, in kernel words, or null). A cheap check that a per-page loop or a needlessly
 * wide flush cannot pass; it grades no rule but the soft lockup of a flood, and counts
 * only once the driver sends something (sending nothing is not cheap, it is wrong).
 */
export function costCase<I>(scenario: ScenarioRef, points: number, what: string, driver: (impl: I) => DriverSpec, judge: (c: RunCost) => string | null, opts: CaseOptions<I> = {}): KataCase<I> {
  return graded(["invalidation-flood"], {
    name: `${scenarioName(scenario)}, run straight: ${what}`,
    points,
    run(impl, g) {
      const w = straightWithWork(scenario, driver(impl), { ...optionsFor(opts, impl), ...g });
      const commands: Record<string, number> = {};
      for (const io of w.k.iommus) for (const [kind, n] of Object.entries(io.cost)) commands[kind] = (commands[kind] ?? 0) + n;
      const total = Object.values(commands).reduce((a, b) => a + b, 0);
      const why = judge({ commands, total, calls: w.k.mn.calls.invalidate_secondary_tlbs });
      require_(why === null, why ?? "");
    },
  });
}

/** Commands by kind, most frequent first: "1024 CMD_TLBI_NH_VA, 2 CMD_SYNC". */
export function describeCost(c: Readonly<Record<string, number>>): string {
  const parts = Object.entries(c)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n} ${k}`);
  return parts.length ? parts.join(", ") : "no command";
}
