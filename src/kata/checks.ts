/**
 * Checks that kata tests are made of. Each runs a standard scenario with the driver
 * under test and turns what the oracle found into a KataFailure a learner can act on:
 * the rule in kernel words, the step that broke it, the address, and (explain.ts)
 * what the callbacks sent and which caches still held the page.
 */
import type { DriverSpec } from "../drivers/driver";
import type { KernelOptions } from "../kernel/kernel";
import { RULE_KIND, type RuleId } from "../oracle/violation";
import type { World } from "../sim/world";
import type { Counterexample } from "../sched/types";
import { explore } from "../sched/explore";
import { runStraight, runSchedule } from "../sched/run";
import { explainRun } from "./explain";
import { findScenario, type Scenario } from "../scenarios/index";
import { hex } from "../mm/constants";
import { KataFailure } from "./suite";

export interface ScenarioOptions {
  readonly kernel?: KernelOptions;
  /** Rules to switch off, to look at what they protect against. */
  readonly disable?: readonly RuleId[];
  /** Exploration budget: a driver that needs more states than this fails. */
  readonly maxStates?: number;
  /**
   * The rules this check grades: every other rule is switched off (a case fails only
   * on the rule its name states), except those without which a run means nothing
   * (RULES_ALWAYS_GRADED). Unset: every rule.
   */
  readonly grades?: readonly RuleId[];
}

/** A refused binding, an oops, a deadlock (a CPU spinning on a lock it holds is one too): the run did not happen as the scenario says, whatever the case grades. */
export const RULES_ALWAYS_GRADED: readonly RuleId[] = ["invalid-ops", "driver-crash", "deadlock", "lock-recursion"];

const ALL_RULES = Object.keys(RULE_KIND) as RuleId[];

/** Rules of the given kinds (coherence, corruption, ordering, liveness, locking, registration). */
export const rulesOfKind = (...kinds: (typeof RULE_KIND)[RuleId][]): RuleId[] => ALL_RULES.filter((r) => kinds.includes(RULE_KIND[r]));

/** What a coherence case grades: a translation kept too long, and the harm it does. */
export const COHERENCE_RULES: readonly RuleId[] = rulesOfKind("coherence", "corruption", "ordering");

/** What an SRCU case grades: a walk outside the read section, a section left open, the wrong index given back. */
export const SRCU_RULES: readonly RuleId[] = ["rcu-not-held", "lock-held-on-return", "srcu-wrong-index"];

/** The rules a case with `grades` does not report. */
export function ungradedRules(grades: readonly RuleId[]): RuleId[] {
  return ALL_RULES.filter((r) => !grades.includes(r) && !RULES_ALWAYS_GRADED.includes(r));
}

export const DEFAULT_MAX_STATES = 200_000;

/** A standard scenario by name, or a kata's own Scenario object. */
export type ScenarioRef = string | Scenario;

/** The name of a scenario given by name or as an object. */
export const scenarioName = (s: ScenarioRef): string => (typeof s === "string" ? s : s.name);

export function buildScenario(scenario: ScenarioRef, driver: DriverSpec, o: ScenarioOptions = {}): World {
  const s = typeof scenario === "string" ? findScenario(scenario) : scenario;
  if (!s) throw new Error(`no scenario named ${scenario}`);
  const w = s.build(driver, o.kernel);
  for (const r of [...(o.disable ?? []), ...(o.grades ? ungradedRules(o.grades) : [])]) w.k.sim.disabledRules.add(r);
  return w;
}

/** A counterexample as one paragraph: rule, message, the step where it happened. */
export function describeCounterexample(c: Counterexample, scenario?: string): string {
  const v = c.violation;
  const steps = c.trace.steps;
  const last = steps[steps.length - 1];
  const where = last ? ` It happened at step ${steps.length} (${last.agentName}: ${last.label})` : "";
  const addr = v.address !== undefined ? ` at ${hex(v.address)}` : "";
  const on = scenario ? ` on the ${scenario} scenario` : "";
  return `[${v.rule}]${on}${addr}: ${v.message}.${where}.`.replace(/\.\./g, ".");
}

export interface ExploreOutcome {
  readonly world: World;
  readonly violation?: Counterexample;
}

/** Explore every interleaving of `scenario` with `driver`; set-up violations count too. */
export function exploreScenario(scenario: ScenarioRef, driver: DriverSpec, o: ScenarioOptions = {}): ExploreOutcome {
  const w = buildScenario(scenario, driver, o);
  const setup = w.setupViolations[0];
  if (setup) return { world: w, violation: { violation: setup, trace: { steps: [], violation: setup }, schedule: [] } };
  const r = explore(w, { maxStates: o.maxStates ?? DEFAULT_MAX_STATES, shortest: true });
  if (!r.complete && !r.violation) {
    throw new KataFailure(`the ${scenarioName(scenario)} scenario did not finish within ${o.maxStates ?? DEFAULT_MAX_STATES} states: your driver makes the hardware do far more work than it should`);
  }
  return { world: w, violation: r.violation };
}

/** The paragraph of describeCounterexample, then what the run shows (explainRun), one line each. */
function failureText(c: Counterexample, scenario: ScenarioRef, w: World): string {
  return [describeCounterexample(c, scenarioName(scenario)), ...explainRun(w, c.trace, c.violation)].join("\n");
}

/**
 * A counterexample found by exploring, replayed with tracing on a fresh world, so that
 * the world is as it was when the rule broke. Null if the replay does not end in the
 * same rule (then only the oracle's words are given).
 */
function replayed(scenario: ScenarioRef, driver: DriverSpec, o: ScenarioOptions, c: Counterexample): { w: World; c: Counterexample } | null {
  if (!c.schedule.length) return null;
  try {
    const w = buildScenario(scenario, driver, o);
    const t = runSchedule(w, c.schedule);
    return t.violation?.rule === c.violation.rule ? { w, c: { violation: t.violation, trace: t, schedule: c.schedule } } : null;
  } catch {
    return null;
  }
}

/** Fail unless no interleaving of `scenario` breaks a rule. */
export function expectCoherent(scenario: ScenarioRef, driver: DriverSpec, o: ScenarioOptions = {}): void {
  const r = exploreScenario(scenario, driver, o);
  if (!r.violation) return;
  const again = replayed(scenario, driver, o, r.violation);
  const text = again ? failureText(again.c, scenario, again.w) : describeCounterexample(r.violation, scenarioName(scenario));
  throw new KataFailure(text, r.violation.violation.rule, r.violation.trace);
}

/** Run `scenario` straight through (no races) and return the world, failing on any violation. */
export function runScenarioStraight(scenario: ScenarioRef, driver: DriverSpec, o: ScenarioOptions = {}): World {
  return runBuiltStraight(scenario, buildScenario(scenario, driver, o));
}

/** runScenarioStraight on a world already built with buildScenario (to look at it between set-up and run). */
export function runBuiltStraight(scenario: ScenarioRef, w: World): World {
  const setup = w.setupViolations[0];
  if (setup) throw new KataFailure(`[${setup.rule}] on the ${scenarioName(scenario)} scenario: ${setup.message}`, setup.rule);
  const t = runStraight(w, { maxSteps: 100_000 });
  if (t.violation) {
    const steps = t.steps;
    const c: Counterexample = { violation: t.violation, trace: t, schedule: steps.map((s) => s.agent) };
    throw new KataFailure(failureText(c, scenario, w), t.violation.rule, t);
  }
  return w;
}
