// Explorer benchmark (`npm run bench`): medians over repeated runs on the built package.
// Reports figures; it asserts nothing (these machines are shared and noisy).
//
// Two kinds of figure, because the standard scenarios are small (35 to 3016 states,
// explored in milliseconds) and a run that short mostly measures V8 compiling the
// simulation, not the search:
// - the standard scenarios, each explored REPEAT + 1 times in this process: runs 2 to
//   REPEAT + 1 (still partly compiling), then REPEAT runs once WARM earlier runs have
//   let V8 optimise everything;
// - sustained throughput: each large scenario (hundreds of thousands of states)
//   explored once in a fresh Node process, compile time included, median over
//   PROCESSES processes. This is the figure compared with the target.
import { createRequire } from "node:module";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const tk = require("../../src/dist/index.js");

const REPEAT = Number(process.env.BENCH_REPEAT ?? 7);
const WARM = 20;
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 3);
const driver = (n) => tk.genericDrivers.find((d) => d.name === n);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const perSec = (states, ms) => Math.round((states / ms) * 1000);

/** Explore `scenario` once on a freshly built world; time the exploration only. */
function exploreOnce(scenario, drv, opts = {}) {
  const w = tk.findScenario(scenario).build(driver(drv));
  const t0 = performance.now();
  const result = tk.explore(w, opts);
  return { ms: performance.now() - t0, result };
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

// A child process: explore one large scenario once and print the figures as JSON.
if (process.argv[2] === "--once") {
  const { ms, result } = exploreOnce(process.argv[3], "correct-generic");
  const mb = (bytes) => Math.round(bytes / 2 ** 20);
  const mem = process.memoryUsage();
  console.log(JSON.stringify({ ms, states: result.states, transitions: result.transitions, complete: result.complete, violation: result.violation?.violation.rule ?? null, rssMB: mb(mem.rss), heapMB: mb(mem.heapUsed), arrayBuffersMB: mb(mem.arrayBuffers) }));
  process.exit(0);
}

const rows = [];
const early = { states: 0, ms: 0 };
for (const s of tk.scenarios) {
  const { ms, result } = timeExplore(s.name, "correct-generic");
  early.states += result.states;
  early.ms += ms;
  rows.push({ scenario: s.name, states: result.states, transitions: result.transitions, complete: result.complete, violation: result.violation?.violation.rule ?? "-", ms: +ms.toFixed(2), statesPerSec: perSec(result.states, ms) });
}
// Every scenario has now run REPEAT + 1 times; run each up to WARM times, then time REPEAT more.
const warm = { states: 0, ms: 0 };
for (const [i, s] of tk.scenarios.entries()) {
  for (let j = REPEAT + 1; j < WARM; j++) exploreOnce(s.name, "correct-generic");
  const times = [];
  for (let j = 0; j < REPEAT; j++) times.push(exploreOnce(s.name, "correct-generic").ms);
  const ms = median(times);
  warm.states += rows[i].states;
  warm.ms += ms;
  rows[i].warmMs = +ms.toFixed(2);
  rows[i].warmStatesPerSec = perSec(rows[i].states, ms);
}
console.log(`Exhaustive exploration of correct-generic on the standard scenarios (ms: median of runs 2 to ${REPEAT + 1}; warmMs: median of ${REPEAT} runs after ${WARM}):`);
console.table(rows);
const largest = rows.reduce((a, b) => (b.states > a.states ? b : a));
console.log(`largest standard scenario: ${largest.scenario}, ${largest.states} states, exhausted in ${largest.ms} ms (target < 2000 ms)`);
const slowest = rows.reduce((a, b) => (b.ms > a.ms ? b : a));
console.log(`slowest standard scenario to exhaust: ${slowest.scenario} (${slowest.ms} ms; target < 2000 ms)`);
console.log(`throughput over the standard scenarios: ${perSec(early.states, early.ms)} states/s in runs 2 to ${REPEAT + 1}, ${perSec(warm.states, warm.ms)} states/s warmed up`);

const self = fileURLToPath(import.meta.url);
const sustained = { states: 0, ms: 0 };
const largeRows = [];
for (const s of tk.largeScenarios) {
  const runs = [];
  for (let i = 0; i < PROCESSES; i++) {
    const p = spawnSync(process.execPath, [self, "--once", s.name], { encoding: "utf8" });
    if (p.status !== 0) throw new Error(`bench child for ${s.name} failed: ${p.stderr.trim().split("\n")[0]}`);
    runs.push(JSON.parse(p.stdout));
  }
  const r = runs.sort((a, b) => a.ms - b.ms)[runs.length >> 1];
  sustained.states += r.states;
  sustained.ms += r.ms;
  largeRows.push({ scenario: s.name, states: r.states, transitions: r.transitions, complete: r.complete, violation: r.violation ?? "-", ms: Math.round(r.ms), statesPerSec: perSec(r.states, r.ms), rssMB: r.rssMB, heapMB: r.heapMB, typedArraysMB: r.arrayBuffersMB });
}
console.log(`Large scenarios, each explored once per fresh process, compile time included (median of ${PROCESSES} processes; memory of that process after the search, in MiB):`);
console.table(largeRows);
console.log(`sustained explorer throughput over the large scenarios: ${perSec(sustained.states, sustained.ms)} states/s (target >= 200000)`);

const first = timeExplore("munmap", "start-only");
console.log(`time to first counterexample, start-only on munmap: ${first.ms.toFixed(2)} ms (${first.result.violation?.violation.rule}, ${first.result.violation?.trace.steps.length} steps; target < 50 ms)`);
const shortest = timeExplore("munmap", "start-only", { shortest: true });
console.log(`time to a shortest counterexample, start-only on munmap: ${shortest.ms.toFixed(2)} ms (${shortest.result.violation?.trace.steps.length} steps)`);
