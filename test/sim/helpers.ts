/** Shared helpers for tests that drive scenarios through the public API. */
import { explore, findScenario, genericDrivers, type DriverSpec, type KernelOptions, type RuleId, type World, type Violation } from "tlbkata";

export function driver(name: string): DriverSpec {
  const d = genericDrivers.find((x) => x.name === name);
  if (!d) throw new Error(`no driver ${name}`);
  return d;
}

export interface FindOptions {
  /** Switch the whole oracle off: what a run finds without it. */
  readonly oracle?: boolean;
  /** Rules to leave out, to see their observable consequences instead. */
  readonly disable?: readonly RuleId[];
  readonly shortest?: boolean;
  /** The kernel the scenario is built with (notifier model, architecture). */
  readonly kernel?: KernelOptions;
}

/** Apply the oracle switches of `o` to a freshly built world. */
export function configure(w: World, o: FindOptions = {}): World {
  if (o.oracle === false) w.k.sim.oracleEnabled = false;
  for (const r of o.disable ?? []) w.k.sim.disabledRules.add(r);
  return w;
}

export function build(scenario: string, drv: string, o: FindOptions = {}): World {
  const s = findScenario(scenario);
  if (!s) throw new Error(`no scenario ${scenario}`);
  return configure(s.build(driver(drv), o.kernel), o);
}

export interface Found {
  readonly violation: Violation | null;
  readonly complete: boolean;
  readonly states: number;
}

/** The first violation exhaustive exploration of `w` finds (set-up violations first), or null. */
export function exploreWorld(w: World, o: FindOptions = {}): Found {
  if (w.setupViolations.length && o.oracle !== false) return { violation: w.setupViolations[0]!, complete: true, states: 0 };
  const r = explore(w, { shortest: o.shortest ?? false });
  return { violation: r.violation?.violation ?? null, complete: r.complete, states: r.states };
}

/** The first violation exhaustive exploration of a standard or large scenario finds, or null. */
export function findViolation(scenario: string, drv: string, o: FindOptions = {}): Found {
  return exploreWorld(build(scenario, drv, o), o);
}
