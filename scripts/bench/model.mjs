// The finer hardware model's cost (`npm run bench`): for each standard scenario and
// each vendor reference driver (plus correct-generic), the states an exhaustive search
// visits and its median time, with the finer model switched off (the first model:
// waits drain the queue on the spot, every device-TLB miss walks) and on; and the time
// to a first counterexample of start-only and end-only. Reports figures; asserts nothing.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const tk = require(process.env.TK ?? "../../src/dist/index.js");
const { VENDOR_DRIVERS, referenceDriver } = require(process.env.TK_VENDORS ?? "../../src/dist/cli/vendors.js");

const REPEAT = Number(process.env.BENCH_REPEAT ?? 5);
const OFF = { asyncHardware: false, tlbHierarchy: false };
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function run(scenario, driver, model) {
  const times = [];
  let r;
  for (let i = 0; i < REPEAT + 1; i++) {
    const w = tk.findScenario(scenario).build(driver, { model });
    const t0 = performance.now();
    r = tk.explore(w, {});
    if (i > 0) times.push(performance.now() - t0);
  }
  return { states: r.states, ms: median(times), violation: r.violation?.violation.rule ?? null };
}

const drivers = [...VENDOR_DRIVERS.map((v) => referenceDriver(v)), tk.genericDrivers.find((d) => d.name === "correct-generic")];
console.log("\n## The finer model: states and median time of an exhaustive search, first model -> finer model\n");
console.log("| scenario | driver | states (first model) | states (finer) | ms (first) | ms (finer) | verdict |");
console.log("| --- | --- | ---: | ---: | ---: | ---: | --- |");
let worst = { ms: 0 };
for (const s of tk.scenarios) {
  for (const d of drivers) {
    const a = run(s.name, d, OFF);
    const b = run(s.name, d, {});
    if (b.ms > worst.ms) worst = { ms: b.ms, what: `${s.name} / ${d.name}` };
    const verdict = a.violation === b.violation ? (b.violation ?? "proved") : `${a.violation ?? "proved"} -> ${b.violation ?? "proved"}`;
    console.log(`| ${s.name} | ${d.name} | ${a.states} | ${b.states} | ${a.ms.toFixed(1)} | ${b.ms.toFixed(1)} | ${verdict} |`);
  }
}
console.log(`\nSlowest standard scenario with the finer model: ${worst.what}, ${worst.ms.toFixed(0)} ms (target: under 2000 ms).`);

console.log("\n| scenario | wrong driver | first counterexample, median ms (finer model) |");
console.log("| --- | --- | ---: |");
for (const s of tk.scenarios) {
  for (const name of ["start-only", "end-only"]) {
    const r = run(s.name, tk.genericDrivers.find((d) => d.name === name), {});
    console.log(`| ${s.name} | ${name} | ${r.violation ? r.ms.toFixed(1) : `none (${r.states} states)`} |`);
  }
}
