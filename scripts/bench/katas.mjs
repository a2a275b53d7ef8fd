// Kata benchmark (`npm run bench`): how fast the explorer finds kata 03's race on its
// own, medians over repeated runs on the built package. Reports figures; asserts
// nothing (test/katas/start-end-race.test.ts checks that the trace is a shortest one).
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const tk = require("../../src/dist/index.js");

const REPEAT = Number(process.env.BENCH_REPEAT ?? 7);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Median time of `run` (building the world included: it is part of what a learner waits for). */
function time(run) {
  const times = [];
  let last;
  for (let i = 0; i < REPEAT + 1; i++) {
    const t0 = performance.now();
    last = run();
    const ms = performance.now() - t0;
    if (i > 0) times.push(ms); // the first run warms the JIT up
  }
  return { ms: median(times), result: last };
}

const first = time(() => tk.explore(tk.accelHuntWorld(tk.shippedAccelOps)));
const v = first.result.violation;
console.log(
  `kata 03 (start/end) race, first counterexample of a plain search: ${first.ms.toFixed(2)} ms (${v?.violation.rule}, ${v?.trace.steps.length} steps, ${first.result.states} states; target < 1000 ms)`,
);
const shortest = time(() => tk.huntAccel(tk.shippedAccelOps));
console.log(
  `kata 03 (start/end) race, shortest counterexample (huntAccel): ${shortest.ms.toFixed(2)} ms (${shortest.result?.violation.rule}, ${shortest.result?.trace.steps.length} steps; target < 1000 ms)`,
);
