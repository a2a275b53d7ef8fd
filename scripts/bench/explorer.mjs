// Explorer benchmark (`npm run bench`): medians over repeated runs on the built package.
// Reports figures; it asserts nothing (these machines are shared and noisy).
//
// - the standard scenarios, each explored REPEAT + 1 times in this process, with the
//   explorer's reductions and persistent sets forced on (a model of under 6 agents
//   does without them by default), with persistent sets off (the explorer before
//   them, "before", and the default for these) and without any: states,
//   transitions and the median time of runs 2 to REPEAT + 1;
// - sustained throughput: each large scenario explored once in a fresh Node process,
//   compile time included, median over PROCESSES processes, wall and CPU time (CPU
//   time is steadier when other jobs share the machine);
// - growth: munmap with N devices on disjoint pages (batch 4), correct-generic proven
//   for N = 1, 2, ... while a proof takes under SCALE_BUDGET_MS, and the shortest
//   counterexample of start-only and end-only, breadth-first, for N = 4, 8, ... while
//   one takes under SHORTEST_BUDGET_MS; each in a fresh process;
//   and, for N = 1 to 4, how many combinations of the devices' local states the proof
//   reaches (why the states still grow);
// - time to a first and to a shortest counterexample on the standard munmap.
//
// `node scripts/bench/explorer.mjs --json` prints the figures as one JSON object
// instead (notebook 10 reads the growth figures from it).
import { createRequire } from "node:module";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
// TK: another build of the package to measure (an older commit's src/dist), for before/after.
const tk = require(process.env.TK ?? "../../src/dist/index.js");

const REPEAT = Number(process.env.BENCH_REPEAT ?? 7);
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 3);
const SCALE_BUDGET_MS = Number(process.env.BENCH_SCALE_BUDGET_MS ?? 20_000);
const SHORTEST_BUDGET_MS = Number(process.env.BENCH_SHORTEST_BUDGET_MS ?? 10_000);
const JSON_OUT = process.argv.includes("--json");
const driver = (n) => tk.genericDrivers.find((d) => d.name === n);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const perSec = (n, ms) => Math.round((n / ms) * 1000);
/** No reduction at all; an older build ignores the options it does not know. */
const FULL = { persistentSets: false, sleepSets: false, por: false, deadValues: false };
/** The explorer before persistent sets: sleep sets and dead values only. */
const BEFORE = { persistentSets: false };

function build(scenario, drv, scale) {
  const s = tk.findScenario(scenario);
  return scale ? s.scaled.build(driver(drv), undefined, scale) : s.build(driver(drv));
}

/** Explore once on a freshly built world; time the exploration only (wall and CPU). */
function exploreOnce(scenario, drv, opts = {}, scale) {
  const w = build(scenario, drv, scale);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = tk.explore(w, opts);
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { ms, cpuMs: (c.user + c.system) / 1000, result };
}

/** Median time of runs 2 to REPEAT + 1 (the first run is thrown away). */
function timeExplore(scenario, drv, opts = {}) {
  const times = [];
  let last;
  for (let i = 0; i < REPEAT + 1; i++) {
    const r = exploreOnce(scenario, drv, opts);
    if (i > 0) times.push(r.ms);
    last = r.result;
  }
  return { ms: median(times), result: last };
}

const mb = (bytes) => Math.round(bytes / 2 ** 20);

// A child process: explore once and print the figures as JSON.
if (process.argv[2] === "--once") {
  const [, , , scenario, drv, optsJSON, scaleJSON] = process.argv;
  const scale = scaleJSON ? JSON.parse(scaleJSON) : undefined;
  const { ms, cpuMs, result } = exploreOnce(scenario, drv, JSON.parse(optsJSON), scale);
  const mem = process.memoryUsage();
  console.log(
    JSON.stringify({
      ms,
      cpuMs,
      states: result.states,
      transitions: result.transitions,
      complete: result.complete,
      depth: result.maxDepth,
      violation: result.violation?.violation.rule ?? null,
      soloRuns: result.soloRuns ?? 0,
      steps: result.violation?.schedule.length ?? null,
      rssMB: mb(mem.rss),
      heapMB: mb(mem.heapUsed),
      arrayBuffersMB: mb(mem.arrayBuffers),
    }),
  );
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
/** One exploration in a fresh process. */
function child(scenario, drv, opts, scale) {
  const args = [self, "--once", scenario, drv, JSON.stringify(opts), ...(scale ? [JSON.stringify(scale)] : [])];
  const p = spawnSync(process.execPath, args, { encoding: "utf8", env: process.env, maxBuffer: 1 << 20 });
  if (p.status !== 0) throw new Error(`bench child for ${scenario} failed: ${(p.stderr || "").trim().split("\n")[0]}`);
  return JSON.parse(p.stdout);
}
/** The run with the median wall time of PROCESSES fresh processes. */
function medianChild(scenario, drv, opts, scale) {
  const runs = [];
  for (let i = 0; i < PROCESSES; i++) runs.push(child(scenario, drv, opts, scale));
  const r = runs.sort((a, b) => a.ms - b.ms)[runs.length >> 1];
  return { ...r, cpuMs: median(runs.map((x) => x.cpuMs)) };
}

const out = { standard: [], large: [], growth: [], shortest: [] };
const log = (...a) => {
  if (!JSON_OUT) console.log(...a);
};

// ------------------------------------------------------------ standard scenarios
for (const s of tk.scenarios) {
  const on = timeExplore(s.name, "correct-generic", { persistentSets: "always" });
  const before = timeExplore(s.name, "correct-generic", BEFORE);
  const off = timeExplore(s.name, "correct-generic", FULL);
  out.standard.push({
    scenario: s.name,
    states: on.result.states,
    transitions: on.result.transitions,
    ms: +on.ms.toFixed(2),
    beforeStates: before.result.states,
    beforeTransitions: before.result.transitions,
    beforeMs: +before.ms.toFixed(2),
    unreducedStates: off.result.states,
    unreducedTransitions: off.result.transitions,
    unreducedMs: +off.ms.toFixed(2),
    complete: on.result.complete && off.result.complete,
    violation: on.result.violation?.violation.rule ?? "-",
  });
}
log(`Exhaustive exploration of correct-generic on the standard scenarios, with persistent sets forced on (by default a model of under ${tk.PERSISTENT_MIN_AGENTS ?? 6} agents does without), without them ("before": sleep sets and dead values, the default here) and without any reduction (ms: median of runs 2 to ${REPEAT + 1}):`);
if (!JSON_OUT) console.table(out.standard);
const slowest = out.standard.reduce((a, b) => (b.ms > a.ms ? b : a));
log(`slowest standard scenario to exhaust: ${slowest.scenario} (${slowest.ms} ms; target < 2000 ms)`);

// ------------------------------------------------------------ large scenarios
for (const s of tk.largeScenarios) {
  for (const [mode, opts] of [
    ["reduced", {}],
    ["before", BEFORE],
    ["unreduced", FULL],
  ]) {
    const r = medianChild(s.name, "correct-generic", opts);
    out.large.push({
      scenario: s.name,
      search: mode,
      states: r.states,
      transitions: r.transitions,
      complete: r.complete,
      ms: Math.round(r.ms),
      cpuMs: Math.round(r.cpuMs),
      transitionsPerSec: perSec(r.transitions, r.ms),
      transitionsPerCpuSec: perSec(r.transitions, r.cpuMs),
      statesPerSec: perSec(r.states, r.ms),
      rssMB: r.rssMB,
      typedArraysMB: r.arrayBuffersMB,
    });
  }
}
log(`Large scenarios, correct-generic, each explored once per fresh process, compile time included (median of ${PROCESSES} processes; memory of that process after the search, in MiB):`);
if (!JSON_OUT) console.table(out.large);

// ------------------------------------------------------------ growth with N
if (tk.findScenario("munmap")?.scaled) {
  let prev;
  for (let n = 1; n <= 28; n++) {
    const scale = { pages: n, batch: 4 };
    const r = child("munmap", "correct-generic", {}, scale);
    const row = { pages: n, states: r.states, transitions: r.transitions, depth: r.depth, ms: Math.round(r.ms), cpuMs: Math.round(r.cpuMs), rssMB: r.rssMB, complete: r.complete, violation: r.violation ?? "-" };
    if (n <= 4) {
      const b = child("munmap", "correct-generic", BEFORE, scale);
      Object.assign(row, { beforeStates: b.states, beforeTransitions: b.transitions, beforeCpuMs: Math.round(b.cpuMs) });
    }
    if (n <= 3) {
      const u = child("munmap", "correct-generic", FULL, scale);
      Object.assign(row, { unreducedStates: u.states, unreducedTransitions: u.transitions, unreducedMs: Math.round(u.ms) });
    }
    out.growth.push(row);
    // Stop before a proof that would take longer than the budget: time grows with the
    // states (the time ratio of small N is mostly compiling).
    const ratio = prev ? r.states / Math.max(prev.states, 1) : 10;
    prev = r;
    if (r.ms * Math.max(ratio, 2) > SCALE_BUDGET_MS) break;
  }
  log(`munmap --pages N --batch 4, correct-generic, full proof, one fresh process per N (stopped before a proof would pass ${SCALE_BUDGET_MS / 1000} s):`);
  if (!JSON_OUT) console.table(out.growth);
  const last = out.growth[out.growth.length - 1];
  const g = out.growth.length > 1 ? last.states / out.growth[out.growth.length - 2].states : NaN;
  log(`states grow by ${g.toFixed(1)}x per device at N = ${last.pages} (2^N would be 2x); largest N proved: ${last.pages} in ${(last.ms / 1000).toFixed(1)} s`);

  // Why the states still grow: the devices' local states (access reached, page request
  // outstanding) reached together. Each access races munmap's zap, flush and
  // free_pgtables, whose steps touch every device of the batch: every combination is
  // a different state, which no partial-order reduction may merge.
  // (An older build, given as TK, may not have the helper.)
  out.deviceStates = (tk.course?.deviceCombinations?.(4) ?? []).map((r) => ({ pages: r.n, states: r.states, deviceCombinations: r.combinations, fiveToTheN: 5 ** r.n }));
  log("munmap --pages N --batch 4, correct-generic: combinations of the devices' local states (access reached, request outstanding) among the states reached:");
  if (!JSON_OUT) console.table(out.deviceStates);

  for (const drv of ["start-only", "end-only"]) {
    for (let n = 4; n <= 28; n += 4) {
      const r = child("munmap", drv, { shortest: true }, { pages: n, batch: 4 });
      out.shortest.push({ driver: drv, pages: n, steps: r.steps, violation: r.violation ?? "-", states: r.states, transitions: r.transitions, soloRuns: r.soloRuns, ms: Math.round(r.ms), cpuMs: Math.round(r.cpuMs), rssMB: r.rssMB });
      if (r.ms * 6 > SHORTEST_BUDGET_MS) break;
    }
  }
  log(`munmap --pages N --batch 4: a shortest counterexample, breadth-first, one fresh process per run (target at N = 20: < 1000 ms):`);
  if (!JSON_OUT) console.table(out.shortest);
}

// ------------------------------------------------------------ first and shortest counterexample
const first = timeExplore("munmap", "start-only");
out.first = { ms: +first.ms.toFixed(2), rule: first.result.violation?.violation.rule, steps: first.result.violation?.trace.steps.length };
log(`time to first counterexample, start-only on munmap: ${out.first.ms} ms (${out.first.rule}, ${out.first.steps} steps; target < 50 ms)`);
const shortest = timeExplore("munmap", "start-only", { shortest: true });
out.firstShortest = { ms: +shortest.ms.toFixed(2), steps: shortest.result.violation?.trace.steps.length, states: shortest.result.states };
log(`time to a shortest counterexample, start-only on munmap: ${out.firstShortest.ms} ms (${out.firstShortest.steps} steps, ${out.firstShortest.states} states)`);

if (JSON_OUT) console.log(JSON.stringify(out));
