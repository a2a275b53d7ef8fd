/**
 * `tlbkata explore`: search one scenario, with one driver, for a rule violation.
 *
 *   tlbkata explore SCENARIO --driver NAME [--exhaustive | --random N [--seed S]] ...
 *   tlbkata explore --list [--json]
 *
 * Exit status: 0 no violation found, 1 a violation found, 2 bad usage or input.
 */
import type { DriverSpec } from "../drivers/driver";
import type { Violation } from "../oracle/violation";
import { scenarios, largeScenarios, rangeScenarios, allScenarios, findScenario, type Scenario, type MunmapScale } from "../scenarios/index";
import {
  explore,
  PROBE_STATES,
  runRandom,
  runStraight,
  traceToText,
  traceToMermaid,
  violationToJSON,
  counterexampleToJSON,
  stepToJSON,
  type Trace,
  type Counterexample,
  type CounterexampleJSON,
  type ExploreResult,
  type ExploreProgress,
} from "../sched/index";
import type { World } from "../sim/world";
import type { KernelOptions } from "../kernel/kernel";
import { parseArgs, formatOptions, type OptionSpecs, type Options } from "./args";
import type { Command, Io } from "./command";
import { allDrivers, driverFamilies, findDriver } from "./drivers";
import { VENDOR_DRIVERS, implDriver, vendorOfFile } from "./vendors";
import { EXIT_OK, EXIT_VIOLATION, UsageError, unknownName } from "./errors";
import { checkWritable, writeGenerated } from "./files";

/** Default --seed for --random. */
export const DEFAULT_SEED = 1;
/** Steps a straight-line run (for --trace and --mermaid) may take before it is cut short. */
const STRAIGHT_MAX_STEPS = 10_000;

const OPTIONS = {
  driver: { type: "string", value: "NAME", help: "the driver under test (required unless --impl names a kata file; see --list)" },
  impl: {
    type: "string",
    value: "PATH",
    help: "run your own kata file as the vendor driver (amd, arm, intel, ocxl: given with --driver or told by the kata folder)",
  },
  exhaustive: { type: "boolean", help: "search every interleaving (the default)" },
  random: { type: "integer", value: "N", min: 1, help: "instead, run N random schedules" },
  seed: {
    type: "integer",
    value: "S",
    min: 0,
    max: 0xffffffff,
    help: `seed of the random schedules (default ${DEFAULT_SEED}); same seed, same result`,
  },
  shortest: { type: "boolean", help: "with --exhaustive: keep searching, report a shortest counterexample" },
  preemptions: {
    type: "integer",
    value: "K",
    min: 0,
    help: "with --exhaustive: only schedules with at most K preemptions (turns off partial-order reduction)",
  },
  "max-states": {
    type: "integer",
    value: "N",
    min: 1,
    help: "with --exhaustive: stop after N distinct states (the result is then incomplete)",
  },
  "time-limit": {
    type: "integer",
    value: "S",
    min: 1,
    help: "with --exhaustive: stop after S seconds of searching (the result is then incomplete)",
  },
  pages: {
    type: "integer",
    value: "N",
    min: 1,
    help: "scale the scenario to N pages (munmap: N devices, one per page; munmap-large: N pages for its device)",
  },
  batch: { type: "integer", value: "B", min: 1, help: "with --pages: pages per mmu_gather batch" },
  stats: { type: "boolean", help: "also print the search's figures: states, transitions, reductions, depth, memory" },
  "no-persistent-sets": {
    type: "boolean",
    help: "with --exhaustive: turn the persistent-set partial-order reduction off (step every enabled agent from every state)",
  },
  "no-sleep-sets": { type: "boolean", help: "with --exhaustive: turn the sleep-set partial-order reduction off" },
  "no-dead-values": {
    type: "boolean",
    help: "with --exhaustive: keep dead values (what a device recorded reading, a finished device's horizon), so states that differ only there count as different states",
  },
  json: { type: "boolean", help: "print one JSON object instead of text" },
  mermaid: {
    type: "string",
    value: "FILE",
    help: "write the counterexample (or, if none, the straight-line run) to FILE as a mermaid sequenceDiagram",
  },
  trace: { type: "boolean", help: "when no violation is found, also show the straight-line run" },
  arch: { type: "string", value: "A", help: "x86 (default) or arm64: how the CPU treats permission upgrades" },
  model: { type: "string", value: "M", help: "where secondary TLBs are told: rfc (the June 2023 RFC, default) or v6.6 (in the arch TLB flush)" },
  "notify-upgrade": { type: "boolean", help: "with --arch arm64: notify secondary TLBs on permission upgrades (RFC patch 2/2)" },
  list: { type: "boolean", help: "list the scenarios and drivers, then exit" },
  help: { type: "boolean", short: "h", help: "show this help" },
} as const satisfies OptionSpecs;

type ExploreOptions = Options<typeof OPTIONS>;

const USAGE = `Usage: tlbkata explore SCENARIO (--driver NAME | --impl PATH [--driver VENDOR])
                       [--exhaustive | --random N [--seed S]]
                       [--shortest] [--preemptions K] [--max-states N] [--time-limit S]
                       [--no-persistent-sets] [--no-sleep-sets] [--no-dead-values]
                       [--pages N [--batch B]] [--stats]
                       [--arch x86|arm64] [--model rfc|v6.6] [--notify-upgrade]
                       [--json] [--mermaid FILE] [--trace]
       tlbkata explore --list [--json]

Search the interleavings of SCENARIO, run with driver NAME, for a violation of the
rules the oracle checks (stale device TLB entries, use-after-free, sleeping in atomic
context, ...). By default the search is exhaustive; --random N runs N random
schedules instead. A violation is printed with the trace that reaches it.

Options:
${formatOptions(OPTIONS)}

Files written by --mermaid start with the line '%% generated by tlbkata'; an existing
file without that line is never overwritten.

Exit status: 0 no violation found, 1 violation found, 2 bad usage or input,
3 internal error.

Examples:
  tlbkata explore --list
  tlbkata explore munmap --driver start-only
  tlbkata explore munmap --driver start-only --shortest --mermaid munmap.mmd
  tlbkata explore munmap --pages 12 --batch 4 --driver correct-generic --stats
  tlbkata explore cow --driver amd
  tlbkata explore mprotect-huge --driver arm --arch arm64 --model v6.6
  tlbkata explore cow --impl katas/05-amd-iommu-v2/amd_iommu_v2.ts
  tlbkata explore reclaim --driver correct-generic --random 1000 --seed 42 --json`;

// ---------------------------------------------------------------- the request

type Mode =
  | {
      readonly kind: "exhaustive";
      readonly shortest: boolean;
      readonly preemptions?: number;
      readonly maxStates?: number;
      readonly timeLimit?: number;
      readonly persistentSets: boolean;
      readonly sleepSets: boolean;
      readonly deadValues: boolean;
    }
  | { readonly kind: "random"; readonly runs: number; readonly seed: number };

interface Request {
  readonly scenario: Scenario;
  /** The scenario's size when --pages or --batch was given. */
  readonly scale?: MunmapScale;
  readonly stats: boolean;
  readonly driver: DriverSpec;
  readonly kernel: KernelOptions;
  readonly mode: Mode;
  readonly json: boolean;
  readonly mermaid?: string;
  readonly trace: boolean;
}

function exhaustiveOnly(o: ExploreOptions, what: string): void {
  const flags = (["shortest", "preemptions", "max-states", "time-limit", "no-persistent-sets", "no-sleep-sets", "no-dead-values", "stats"] as const).filter((f) => o[f] !== undefined);
  if (flags.length > 0) throw new UsageError(`--${flags[0]} applies only to an exhaustive search, not to ${what}`);
}

function namedDriver(driver: string | undefined, scenario: string): DriverSpec {
  const driverNames = allDrivers().map((d) => d.name);
  if (driver === undefined) {
    throw new UsageError(`missing --driver NAME: which driver should run ${scenario}? drivers: ${driverNames.join(", ")}`);
  }
  const found = findDriver(driver);
  if (!found) throw unknownName("driver", driver, driverNames);
  return found;
}

function implFromOptions(file: string, driver: string | undefined): DriverSpec {
  const names = VENDOR_DRIVERS.map((v) => v.name);
  const v = driver !== undefined ? VENDOR_DRIVERS.find((x) => x.name === driver) : vendorOfFile(file);
  if (!v) {
    throw new UsageError(
      driver !== undefined
        ? `--impl runs a vendor driver's kata file; --driver must be one of ${names.join(", ")}, not '${driver}'`
        : `--impl ${file}: not inside a driver kata's folder, so add --driver ${names.join("|")}`,
    );
  }
  return implDriver(v, file);
}

function kernelOptions(o: ExploreOptions): KernelOptions {
  const arch = o.arch ?? "x86";
  if (arch !== "x86" && arch !== "arm64") throw unknownName("architecture", arch, ["x86", "arm64"], "architectures");
  const model = o.model ?? "rfc";
  if (model !== "rfc" && model !== "v6.6") throw unknownName("notifier model", model, ["rfc", "v6.6"], "models");
  if (o["notify-upgrade"] && arch !== "arm64") throw new UsageError("--notify-upgrade applies only with --arch arm64 (x86 needs no notification on an upgrade)");
  return { arch: { arch, notifierModel: model, notifyOnUpgrade: o["notify-upgrade"] ?? false } };
}

function toRequest(o: ExploreOptions, positionals: readonly string[]): Request {
  const scenarioNames = allScenarios.map((s) => s.name);
  if (positionals.length === 0) {
    throw new UsageError(`missing SCENARIO: tlbkata explore SCENARIO --driver NAME; scenarios: ${scenarioNames.join(", ")}`);
  }
  if (positionals.length > 1) {
    throw new UsageError(`explore takes one SCENARIO, got ${positionals.length}: ${positionals.join(" ")}`);
  }
  const name = positionals[0]!;
  const scenario = findScenario(name);
  if (!scenario) throw unknownName("scenario", name, scenarioNames);

  const driver = o.impl !== undefined ? implFromOptions(o.impl, o.driver) : namedDriver(o.driver, name);
  const scale = scaleOf(o, scenario);

  let mode: Mode;
  if (o.random !== undefined) {
    if (o.exhaustive) throw new UsageError("--exhaustive and --random are alternatives: give one of them");
    exhaustiveOnly(o, "--random");
    mode = { kind: "random", runs: o.random, seed: o.seed ?? DEFAULT_SEED };
  } else {
    if (o.seed !== undefined) throw new UsageError("--seed applies only to --random N");
    if (o["no-sleep-sets"] && o.preemptions !== undefined) throw new UsageError("--no-sleep-sets and --preemptions: a preemption bound already turns sleep sets off");
    if (o["no-persistent-sets"] && o.preemptions !== undefined) {
      throw new UsageError("--no-persistent-sets and --preemptions: a preemption bound already turns persistent sets off");
    }
    mode = {
      kind: "exhaustive",
      shortest: o.shortest ?? false,
      preemptions: o.preemptions,
      maxStates: o["max-states"],
      timeLimit: o["time-limit"],
      persistentSets: !(o["no-persistent-sets"] ?? false),
      sleepSets: !(o["no-sleep-sets"] ?? false),
      deadValues: !(o["no-dead-values"] ?? false),
    };
  }
  const kernel = kernelOptions(o);
  return { scenario, scale, stats: o.stats ?? false, driver, kernel, mode, json: o.json ?? false, mermaid: o.mermaid, trace: o.trace ?? false };
}

/** --pages and --batch, checked against what the scenario allows. */
function scaleOf(o: ExploreOptions, scenario: Scenario): MunmapScale | undefined {
  if (o.pages === undefined && o.batch === undefined) return undefined;
  const sc = scenario.scaled;
  if (!sc) {
    const which = allScenarios.filter((s) => s.scaled).map((s) => s.name);
    throw new UsageError(`--${o.pages !== undefined ? "pages" : "batch"}: scenario '${scenario.name}' has no size to choose; scenarios that do: ${which.join(", ")}`);
  }
  if (o.pages !== undefined && o.pages > sc.maxPages) throw new UsageError(`--pages must be at most ${sc.maxPages} for ${scenario.name}, got ${o.pages}`);
  return { pages: o.pages ?? sc.defaults.pages, batch: o.batch ?? sc.defaults.batch };
}

/** The scenario's world, at the size asked for. */
function buildWorld(req: Request): World {
  return req.scale ? req.scenario.scaled!.build(req.driver, req.kernel, req.scale) : req.scenario.build(req.driver, req.kernel);
}

// ---------------------------------------------------------------- the search

interface Outcome {
  /** Found by the search, or during set-up (then with an empty trace). */
  readonly violations: readonly Counterexample[];
  readonly setup: boolean;
  /** Distinct states visited (exhaustive); null for random runs. */
  readonly states: number | null;
  readonly ms: number;
  readonly complete: boolean;
  readonly transitions?: number;
  /** The exhaustive search's figures (see ExploreResult). */
  readonly search?: ExploreResult;
  readonly runs?: number;
  readonly steps?: number;
  /** All agents of the world, so idle ones still get a lifeline in diagrams. */
  readonly agentNames: readonly string[];
}

function agentNames(w: World): string[] {
  const out: string[] = [];
  for (let a = 0; a < w.agentCount; a++) out.push(w.agentName(a));
  return out;
}

/** A search still going after this long says how far it got, and again as often. */
const PROGRESS_EVERY_MS = 10_000;

/**
 * The progress callback for a search: a line on stderr every PROGRESS_EVERY_MS, and a
 * stop at --time-limit.
 */
function progressReporter(m: Extract<Mode, { kind: "exhaustive" }>, io: Io): (p: ExploreProgress) => boolean {
  const t0 = performance.now();
  let nextReport = PROGRESS_EVERY_MS;
  return (p) => {
    const ms = performance.now() - t0;
    if (m.timeLimit !== undefined && ms >= m.timeLimit * 1000) return false;
    if (ms >= nextReport) {
      const first = nextReport === PROGRESS_EVERY_MS;
      nextReport = (Math.floor(ms / PROGRESS_EVERY_MS) + 1) * PROGRESS_EVERY_MS;
      const figures = `${p.states} states, ${p.transitions} transitions, depth ${p.maxDepth}, ${mib(p.bytes)} MiB of tables (${p.order})`;
      const known = p.shortestKnown !== undefined ? `; a ${p.shortestKnown}-step counterexample is known, the search looks for a shorter one` : "";
      const hint = first && m.timeLimit === undefined ? "; --time-limit S or --max-states N bounds a search" : "";
      io.err(`explore: ${Math.round(ms / 1000)} s: ${figures}${known}${hint}\n`);
    }
    return true;
  };
}

/** Mebibytes, to one decimal. */
function mib(bytes: number): number {
  return Math.round((bytes / 2 ** 20) * 10) / 10;
}

function search(req: Request, io: Io): Outcome {
  const world = buildWorld(req);
  const names = agentNames(world);
  if (world.setupViolations.length > 0) {
    const violations = world.setupViolations.map(
      (v): Counterexample => ({ violation: v, trace: { steps: [], violation: v }, schedule: [] }),
    );
    return { violations, setup: true, states: 0, ms: 0, complete: true, agentNames: names };
  }
  const m = req.mode;
  if (m.kind === "exhaustive") {
    const r = explore(world, { shortest: m.shortest, preemptionBound: m.preemptions, maxStates: m.maxStates,
      progress: progressReporter(m, io),
      persistentSets: m.persistentSets,
      sleepSets: m.sleepSets,
      deadValues: m.deadValues,
    });
    return {
      violations: r.violation ? [r.violation] : [],
      setup: false,
      states: r.states,
      ms: r.ms,
      complete: r.complete,
      transitions: r.transitions,
      search: r,
      agentNames: names,
    };
  }
  const r = runRandom(world, { runs: m.runs, seed: m.seed });
  return {
    violations: r.violation ? [r.violation] : [],
    setup: false,
    states: null,
    ms: r.ms,
    // A random search proves nothing when it finds nothing.
    complete: false,
    runs: r.runs,
    steps: r.steps,
    agentNames: names,
  };
}

/** The author's order, from a freshly built world: shown when there is no counterexample. */
function straightRun(req: Request): Trace & { complete: boolean } {
  return runStraight(buildWorld(req), { maxSteps: STRAIGHT_MAX_STEPS });
}

// ---------------------------------------------------------------- output

function fmtMs(ms: number): string {
  return ms < 10 ? ms.toFixed(1) : String(Math.round(ms));
}

function modeText(m: Mode): string {
  if (m.kind === "random") return `random search, ${m.runs} run${m.runs === 1 ? "" : "s"}, seed ${m.seed}`;
  const extra: string[] = [];
  if (m.shortest) extra.push("shortest counterexample");
  if (!m.persistentSets) extra.push("no persistent sets");
  if (!m.sleepSets) extra.push("no sleep sets");
  if (!m.deadValues) extra.push("dead values kept");
  if (m.preemptions !== undefined) extra.push(`at most ${m.preemptions} preemption${m.preemptions === 1 ? "" : "s"}`);
  if (m.maxStates !== undefined) extra.push(`at most ${m.maxStates} states`);
  if (m.timeLimit !== undefined) extra.push(`at most ${m.timeLimit} s`);
  return `exhaustive search${extra.length ? ` (${extra.join(", ")})` : ""}`;
}

function searchSummary(req: Request, out: Outcome): string {
  if (req.mode.kind === "random") {
    return `${out.runs} random run${out.runs === 1 ? "" : "s"} (${out.steps} steps) in ${fmtMs(out.ms)} ms`;
  }
  const stop = out.complete ? "complete" : `incomplete: ${limitText(req, out)}`;
  return `${out.states} states explored in ${fmtMs(out.ms)} ms (${stop})`;
}

function foundSummary(req: Request, out: Outcome): string {
  if (req.mode.kind === "random") return `found on random run ${out.runs} of ${req.mode.runs}, in ${fmtMs(out.ms)} ms`;
  const found = `found after exploring ${out.states} states in ${fmtMs(out.ms)} ms`;
  if (!req.mode.shortest || out.complete) return found;
  // The breadth-first search was cut short: the depth-first search's counterexample stands.
  return `${found}; not known to be a shortest one: the search ${limitText(req, out)}`;
}

/** Which limit stopped an incomplete exhaustive search. */
function limitText(req: Request, out: Outcome): string {
  const m = req.mode;
  if (m.kind !== "exhaustive") return "";
  return out.search?.stoppedBy === "caller" ? `stopped at --time-limit ${m.timeLimit} s` : `stopped at --max-states ${m.maxStates}`;
}

function violationHead(v: Violation): string {
  return `violation: ${v.rule} (${v.kind}): ${v.message}`;
}

/** What --stats reports, for text and JSON alike. */
interface Stats {
  readonly states: number;
  readonly transitions: number;
  readonly order: string;
  readonly reductions: string;
  readonly sleepPruned: number;
  readonly persistentPruned: number;
  readonly soloRuns: number;
  readonly persistentGaveUp: boolean;
  readonly maxDepth: number;
  readonly searchMiB: number;
  readonly rssMiB: number;
  readonly ms: number;
}

function statsOf(req: Request, out: Outcome): Stats | undefined {
  const r = out.search;
  if (!req.stats || !r || req.mode.kind !== "exhaustive") return undefined;
  // Breadth-first (the figures of a shortest search are its) and preemption-bounded
  // searches run without sleep sets; a preemption bound also turns persistent sets off.
  const sleep = r.order === "depth-first" && req.mode.preemptions === undefined && req.mode.sleepSets;
  const persistent = r.persistentUsed;
  const used = [...(persistent ? ["persistent sets"] : []), ...(sleep ? ["sleep sets"] : []), ...(req.mode.deadValues ? ["dead values"] : [])];
  const reductions = used.length ? used.join(" + ") : "none";
  return {
    states: r.states,
    transitions: r.transitions,
    order: r.order,
    reductions,
    sleepPruned: r.sleepPruned,
    persistentPruned: r.persistentPruned,
    soloRuns: r.soloRuns,
    persistentGaveUp: r.persistentGaveUp,
    maxDepth: r.maxDepth,
    searchMiB: mib(r.bytes),
    rssMiB: mib(process.memoryUsage().rss),
    ms: Math.round(r.ms * 100) / 100,
  };
}

function statsLine(s: Stats): string {
  const rate = s.ms > 0 ? `, ${Math.round((s.transitions / s.ms) * 1000)} transitions/s` : "";
  const left: string[] = [];
  if (s.reductions.includes("persistent sets")) {
    const gaveUp = s.persistentGaveUp ? `, given up after ${PROBE_STATES} states` : "";
    left.push(`${s.persistentPruned} transitions outside persistent sets, ${s.soloRuns} solo runs${gaveUp}`);
  }
  if (s.reductions.includes("sleep sets")) left.push(`${s.sleepPruned} transitions asleep`);
  const pruned = left.length ? ` (${left.join("; ")})` : "";
  return `stats: ${s.states} states, ${s.transitions} transitions, ${s.order}, reductions: ${s.reductions}${pruned}, depth ${s.maxDepth}, memory ${s.searchMiB} MiB of search tables (process ${s.rssMiB} MiB), ${fmtMs(s.ms)} ms${rate}`;
}

/** The scenario as the user named it, with its size if chosen. */
function scenarioText(req: Request): string {
  return req.scale ? `${req.scenario.name} --pages ${req.scale.pages} --batch ${req.scale.batch}` : req.scenario.name;
}

function renderText(req: Request, out: Outcome, straight: Trace | undefined, wrote: string | undefined): string {
  const lines: string[] = [`explore ${scenarioText(req)} --driver ${req.driver.name}: ${modeText(req.mode)}`];
  if (out.setup) {
    for (const c of out.violations) lines.push(violationHead(c.violation));
    lines.push("found while setting the scenario up, before any agent ran: no trace");
  } else if (out.violations.length > 0) {
    const c = out.violations[0]!;
    lines.push(violationHead(c.violation));
    const n = c.trace.steps.length;
    lines.push(`trace, ${n} step${n === 1 ? "" : "s"} (${foundSummary(req, out)}):`);
    lines.push(traceToText(c.trace));
  } else {
    lines.push(`no violation: ${searchSummary(req, out)}`);
    if (straight) {
      const n = straight.steps.length;
      lines.push(`straight-line run (each agent runs until it blocks or ends), ${n} step${n === 1 ? "" : "s"}:`);
      lines.push(traceToText(straight));
    }
  }
  if (wrote) lines.push(`wrote ${wrote} (mermaid sequenceDiagram of the ${out.violations.length ? "counterexample" : "straight-line run"})`);
  const st = statsOf(req, out);
  if (st) lines.push(statsLine(st));
  return lines.join("\n") + "\n";
}

function counterexampleJSON(c: Counterexample, setup: boolean): CounterexampleJSON {
  return setup ? { ...violationToJSON(c.violation), schedule: [], trace: [] } : counterexampleToJSON(c);
}

function renderJSON(req: Request, out: Outcome, straight: Trace | undefined, wrote: string | undefined): string {
  const o: Record<string, unknown> = {
    scenario: req.scenario.name,
    driver: req.driver.name,
    mode: req.mode.kind,
    violations: out.violations.map((c) => counterexampleJSON(c, out.setup)),
    states: out.states,
    ms: Math.round(out.ms * 100) / 100,
    complete: out.complete,
  };
  if (out.setup) o.setup = true;
  const m = req.mode;
  if (m.kind === "exhaustive") {
    o.transitions = out.transitions ?? 0;
    o.shortest = m.shortest;
    o.persistentSets = m.persistentSets;
    o.sleepSets = m.sleepSets;
    o.deadValues = m.deadValues;
    if (m.preemptions !== undefined) o.preemptions = m.preemptions;
    if (m.maxStates !== undefined) o.maxStates = m.maxStates;
    if (m.timeLimit !== undefined) o.timeLimit = m.timeLimit;
    if (out.search?.stoppedBy !== undefined) o.stoppedBy = out.search.stoppedBy === "caller" ? "time-limit" : "max-states";
  } else {
    o.seed = m.seed;
    o.runs = out.runs ?? 0;
    o.steps = out.steps ?? 0;
  }
  if (req.scale) o.scale = { pages: req.scale.pages, batch: req.scale.batch };
  const st = statsOf(req, out);
  if (st) o.stats = st;
  if (straight) o.straight = straight.steps.map(stepToJSON);
  if (wrote) o.mermaid = wrote;
  return JSON.stringify(o, null, 2) + "\n";
}

function mermaidFor(req: Request, out: Outcome, straight: Trace | undefined): string {
  const c = out.violations[0];
  const trace = c ? c.trace : straight!;
  const what = c ? `${c.violation.rule} (${c.violation.kind})` : "no violation; straight-line run";
  // Comments go after the marker line writeGenerated() puts first.
  const head = `%% tlbkata explore ${scenarioText(req)} --driver ${req.driver.name}: ${modeText(req.mode)}: ${what}`;
  return `${head.replace(/\n/g, " ")}\n${traceToMermaid(trace, { agentNames: out.agentNames })}`;
}

// ---------------------------------------------------------------- list

function scenarioJSON(s: Scenario): Record<string, unknown> {
  const o: Record<string, unknown> = { name: s.name, summary: s.summary };
  if (s.scaled) o.scaled = { summary: s.scaled.summary, maxPages: s.scaled.maxPages, defaults: { pages: s.scaled.defaults.pages, batch: s.scaled.defaults.batch } };
  return o;
}

function listScenariosAndDrivers(json: boolean): string {
  const families = driverFamilies();
  if (json) {
    return (
      JSON.stringify(
        {
          scenarios: scenarios.map(scenarioJSON),
          largeScenarios: largeScenarios.map(scenarioJSON),
          rangeScenarios: rangeScenarios.map(scenarioJSON),
          drivers: families.flatMap((f) => f.drivers.map((d) => ({ name: d.name, family: f.name, description: d.description }))),
        },
        null,
        2,
      ) + "\n"
    );
  }
  const w = Math.max(...allScenarios.map((s) => s.name.length), ...allDrivers().map((d) => d.name.length));
  const row = (name: string, text: string) => `  ${name.padEnd(w)}  ${text}`;
  const rows = (s: Scenario) => [row(s.name, s.summary), ...(s.scaled ? [row("", `--pages N --batch B: ${s.scaled.summary} (default N = ${s.scaled.defaults.pages}, B = ${s.scaled.defaults.batch}; N at most ${s.scaled.maxPages})`)] : [])];
  const lines = ["Scenarios:", ...scenarios.flatMap(rows)];
  lines.push("", "Large scenarios (hundreds of thousands of states, for throughput and stress):", ...largeScenarios.flatMap(rows));
  lines.push("", "64-bit ranges (pages above 2 GiB, 4 GiB and at the top of user space, sparse huge ranges, driver thresholds):", ...rangeScenarios.flatMap(rows));
  for (const f of families) {
    lines.push("", `Drivers (${f.name}: ${f.description}):`, ...f.drivers.map((d) => row(d.name, d.description)));
  }
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------- the command

function run(argv: readonly string[], io: Io): number {
  const { options: o, positionals } = parseArgs(argv, OPTIONS, "explore");
  if (o.help) {
    io.out(USAGE + "\n");
    return EXIT_OK;
  }
  if (o.list) {
    const others = Object.keys(o).filter((k) => k !== "list" && k !== "json");
    if (others.length > 0) throw new UsageError(`--list takes no other option than --json, got --${others[0]}`);
    if (positionals.length > 0) throw new UsageError(`--list takes no SCENARIO, got '${positionals[0]}'`);
    io.out(listScenariosAndDrivers(o.json ?? false));
    return EXIT_OK;
  }

  const req = toRequest(o, positionals);
  // Refuse a bad --mermaid FILE before spending time on the search.
  if (req.mermaid !== undefined) checkWritable(req.mermaid, "--mermaid");

  const out = search(req, io);
  const found = out.violations.length > 0;
  const straight = !found && (req.trace || req.mermaid !== undefined) ? straightRun(req) : undefined;
  if (req.mermaid !== undefined) writeGenerated(req.mermaid, mermaidFor(req, out, straight), "--mermaid");
  const shown = req.trace ? straight : undefined;
  io.out(req.json ? renderJSON(req, out, shown, req.mermaid) : renderText(req, out, shown, req.mermaid));
  return found ? EXIT_VIOLATION : EXIT_OK;
}

export const exploreCommand: Command = {
  name: "explore",
  usage: USAGE,
  run,
};
