// What two reductions the explorer does not have could at most bring (`npm run bench`):
// measured before building them, as issue 15 asks. It asserts nothing.
//
// - A worker per core: each large scenario explored in one fresh process alone, then
//   in two fresh processes started together (PROCESSES rounds each, medians). Two
//   searches that share nothing but the machine are the best two workers could do on
//   2 cores: a shared state table, work handed between them and the persistent sets'
//   cycle proviso across two stacks only cost more. "gain" is twice the time alone over
//   the time of the pair: the transitions per second two workers could at most reach,
//   over one.
// - Symmetry: a symmetry reduction keeps one state of each orbit under swapping
//   interchangeable agents. munmap-large's two writers run the same program on the same
//   page from the same CPU; the search's states are counted as they are and up to
//   swapping everything named after the two (their program counters and slots), which
//   is what such a reduction could at most merge. cow-large's writers run different
//   programs and the scaled munmap's devices read different pages that munmap reaches
//   in order, so nothing else in the large or scaled scenarios is interchangeable.
//
// `--json` prints the figures as one JSON object.
import { createRequire } from "node:module";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const tk = require(process.env.TK ?? "../../src/dist/index.js");
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 3);
const JSON_OUT = process.argv.includes("--json");
const log = (...a) => {
  if (!JSON_OUT) console.log(...a);
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const explorerBench = fileURLToPath(new URL("./explorer.mjs", import.meta.url));

/** One exploration in a fresh process (explorer.mjs --once); resolves to its figures. */
function child(scenario, scale) {
  const args = [explorerBench, "--once", scenario, "correct-generic", "{}", ...(scale ? [JSON.stringify(scale)] : [])];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { env: process.env });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("close", (code) => {
      if (code !== 0) reject(new Error(`bench child for ${scenario} failed: ${err.trim().split("\n")[0]}`));
      else resolve(JSON.parse(out));
    });
  });
}

const out = { workers: [], symmetry: [] };

log("A worker per core: each search alone, then two at once (fresh processes, exploration time, median of " + PROCESSES + ")");
log("| search | states | alone: ms (CPU ms) | two at once: ms, the slower | gain of two workers at most |");
log("| --- | --- | --- | --- | --- |");
for (const [scenario, scale] of [["munmap-large"], ["cow-large"], ["munmap", { pages: 5, batch: 4 }]]) {
  const alone = [];
  const pair = [];
  for (let i = 0; i < PROCESSES; i++) {
    alone.push(await child(scenario, scale));
    const both = await Promise.all([child(scenario, scale), child(scenario, scale)]);
    pair.push(Math.max(both[0].ms, both[1].ms));
  }
  const aloneMs = median(alone.map((r) => r.ms));
  const aloneCpu = median(alone.map((r) => r.cpuMs));
  const pairMs = median(pair);
  const name = scale ? `${scenario} --pages ${scale.pages} --batch ${scale.batch}` : scenario;
  const row = { scenario: name, states: alone[0].states, transitions: alone[0].transitions, aloneMs, aloneCpuMs: aloneCpu, pairMs, gain: (2 * aloneMs) / pairMs };
  out.workers.push(row);
  log(`| ${name} | ${row.states} | ${aloneMs.toFixed(0)} (${aloneCpu.toFixed(0)}) | ${pairMs.toFixed(0)} | ${row.gain.toFixed(2)}x: ${((2 * row.transitions) / pairMs / 1000).toFixed(2)} M transitions/s against ${(row.transitions / aloneMs / 1000).toFixed(2)} |`);
}

/** States of the default search, as they are and up to swapping agents a and b's named slots. */
function orbits(scenario, a, b) {
  const w = tk.findScenario(scenario).build(tk.genericDrivers.find((d) => d.name === "correct-generic"));
  const swap = (k) => (k.startsWith(a + ".") ? b + k.slice(a.length) : k.startsWith(b + ".") ? a + k.slice(b.length) : k);
  const text = (entries) => entries.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join(",");
  const seen = new Set();
  const canonical = new Set();
  const r = tk.explore(w, {
    onState: () => {
      const d = Object.entries(w.store.dump());
      const s = text(d);
      const t = text(d.map(([k, v]) => [swap(k), v]));
      seen.add(s);
      canonical.add(s < t ? s : t);
    },
  });
  return { scenario, agents: [a, b], states: r.states, distinct: seen.size, upToSwap: canonical.size };
}

log("");
log("Symmetry: states of the default search, and up to swapping two agents (all they name)");
log("| scenario | agents swapped | states | up to the swap | at most |");
log("| --- | --- | --- | --- | --- |");
for (const [scenario, a, b] of [["munmap-large", "writer1", "writer2"]]) {
  const r = orbits(scenario, a, b);
  out.symmetry.push(r);
  log(`| ${scenario} | ${a}, ${b} | ${r.states} | ${r.upToSwap} | ${(r.distinct / r.upToSwap).toFixed(2)}x fewer |`);
}
if (JSON_OUT) console.log(JSON.stringify(out));
