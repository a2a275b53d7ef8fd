// Explorer benchmark (`npm run bench`): medians over repeated runs on the built package.
// Reports figures; it asserts nothing (these machines are shared and noisy).
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const tk = require("../../src/dist/index.js");

const REPEAT = Number(process.env.BENCH_REPEAT ?? 7);
const driver = (n) => tk.genericDrivers.find((d) => d.name === n);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Time exploration only (building the world is not part of the search). */
function timeExplore(scenario, drv, opts = {}) {
  const times = [];
  let last;
  for (let i = 0; i < REPEAT + 1; i++) {
    const w = tk.findScenario(scenario).build(driver(drv));
    const t0 = performance.now();
    last = tk.explore(w, opts);
    const ms = performance.now() - t0;
    if (i > 0) times.push(ms); // the first run warms the JIT up
  }
  return { ms: median(times), result: last };
}

const rows = [];
let totalStates = 0;
let totalMs = 0;
for (const s of tk.scenarios) {
  const { ms, result } = timeExplore(s.name, "correct-generic");
  totalStates += result.states;
  totalMs += ms;
  rows.push({ scenario: s.name, states: result.states, transitions: result.transitions, complete: result.complete, violation: result.violation?.violation.rule ?? "-", ms: +ms.toFixed(2), statesPerSec: Math.round((result.states / ms) * 1000) });
}
console.log(`Exhaustive exploration of correct-generic (median of ${REPEAT} runs, ms):`);
console.table(rows);
const largest = rows.reduce((a, b) => (b.states > a.states ? b : a));
console.log(`largest standard scenario: ${largest.scenario}, ${largest.states} states, exhausted in ${largest.ms} ms (target < 2000 ms)`);
console.log(`slowest scenario to exhaust: ${rows.reduce((a, b) => (b.ms > a.ms ? b : a)).scenario} (${Math.max(...rows.map((r) => r.ms))} ms)`);
console.log(`explorer throughput over all scenarios: ${Math.round((totalStates / totalMs) * 1000)} states/s (target >= 200000)`);

const first = timeExplore("munmap", "start-only");
console.log(`time to first counterexample, start-only on munmap: ${first.ms.toFixed(2)} ms (${first.result.violation?.violation.rule}, ${first.result.violation?.trace.steps.length} steps; target < 50 ms)`);
const shortest = timeExplore("munmap", "start-only", { shortest: true });
console.log(`time to a shortest counterexample, start-only on munmap: ${shortest.ms.toFixed(2)} ms (${shortest.result.violation?.trace.steps.length} steps)`);
