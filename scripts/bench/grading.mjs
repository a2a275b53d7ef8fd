// Grading benchmark (issue 6): one full submission (every kata), and a class of 100
// generated submissions (correct, wrong, hostile) with 2 jobs, against the baseline of
// running plain `vitest run` on the same hidden tests once per submission. The
// sandbox's cost (issue 16): the same full submission graded without the OS sandbox
// (--trusted: still confined, behind the membrane) and in plain trusted workers (as
// `validate` runs solutions). Medians; nothing here is a test.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { partialAmd, writeSample } from "../katas/samples.mjs";

const require = createRequire(import.meta.url);
const ROOT = path.resolve(import.meta.dirname, "..", "..");
const { listKatas } = require(path.join(ROOT, "src/dist/index.js"));
const { gradeSubmission, gradeClass } = require(path.join(ROOT, "src/dist/grader/index.js"));
const { runKataJobs } = require(path.join(ROOT, "src/dist/kata/job.js"));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const katas = listKatas(ROOT).filter((k) => k.hidden.length && k.solution);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tlbkata-bench-grading-"));
const HOSTILE = path.join(ROOT, "test/grader/fixtures");
const PARTIAL = writeSample(path.join(tmp, "samples"), "partial-amd.ts", partialAmd());

function put(dir, kata, file) {
  const dst = path.join(dir, "katas", kata.id, path.basename(kata.file));
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  fs.copyFileSync(file, dst);
}

// --- one full submission: every kata's reference solution, nothing cached
const full = path.join(tmp, "full");
for (const k of katas) put(full, k, k.solution);
const fullMs = [];
let fullResult;
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  fullResult = await gradeSubmission(full, { root: ROOT, katas, jobs: 2 });
  fullMs.push(performance.now() - t0);
}
console.log(`\ngrading: one full submission (${katas.length} katas, ${fullResult.katas.reduce((n, k) => n + k.tests.length, 0)} hidden tests, ${fullResult.score}/${fullResult.max} points): median ${(median(fullMs) / 1000).toFixed(2)} s of 3 (target < 3 s)`);

// --- what the isolation costs: the same submission without the OS sandbox, and in plain
// trusted workers; the three interleaved, round by round, so that a busy machine weighs on each alike
const halves = [katas.filter((_, i) => i % 2 === 0), katas.filter((_, i) => i % 2 === 1)];
const plainJobs = () => Promise.all(halves.map((ks) => runKataJobs(ks.map((k) => ({ impl: path.join(full, "katas", k.id, path.basename(k.file)), kataId: k.id, exports: k.exports, suites: k.hidden, traces: false })), { caseTimeoutMs: 20_000 })));
const [osMs, noOsMs, plainMs] = [[], [], []];
for (let i = 0; i < 5; i++) {
  for (const [ms, run] of [
    [osMs, () => gradeSubmission(full, { root: ROOT, katas, jobs: 2 })],
    [noOsMs, () => gradeSubmission(full, { root: ROOT, katas, jobs: 2, isolation: "none" })],
    [plainMs, plainJobs],
  ]) {
    const t0 = performance.now();
    await run();
    ms.push(performance.now() - t0);
  }
}
const [g, n, p] = [median(osMs), median(noOsMs), median(plainMs)];
console.log(`grading: what isolation costs, the full submission 5 times each way, interleaved: sandboxed ${(g / 1000).toFixed(2)} s; without the OS sandbox (--trusted; still confined, behind the membrane) ${(n / 1000).toFixed(2)} s; in plain trusted workers (as validate runs solutions) ${(p / 1000).toFixed(2)} s: the OS sandbox costs ${((g - n) / 1000).toFixed(2)} s per submission, confinement and membrane ${((n - p) / 1000).toFixed(2)} s`);

// --- a class of 100: each student's kata files drawn from a pool of implementations
const cls = path.join(tmp, "class");
// Hostile files that fail fast (the slow ones are students 17 and 71 below).
const hostile = fs.readdirSync(HOSTILE).filter((f) => f.endsWith(".ts") && !/infinite|memory|flood|slow/.test(f)).map((f) => path.join(HOSTILE, f));
const slow = ["infinite-loop.ts", "unbounded-memory.ts"].map((f) => path.join(HOSTILE, f));
let rnd = 12345;
const next = () => ((rnd = (rnd * 1103515245 + 12345) >>> 0) / 2 ** 32);
for (let s = 0; s < 100; s++) {
  const dir = path.join(cls, `student${String(s).padStart(3, "0")}`);
  fs.mkdirSync(dir, { recursive: true });
  for (const k of katas) {
    const r = next();
    const pool = r < 0.45 ? [k.solution, ...k.variants] : r < 0.75 ? [k.file] : k.id === "05-amd-iommu-v2" && r < 0.9 ? [PARTIAL] : k.id === "05-amd-iommu-v2" ? hostile : [k.file];
    put(dir, k, pool[Math.floor(next() * pool.length)]);
  }
  // Two students whose kata 05 never returns or eats memory: graded, not cached.
  if (s === 17) put(dir, katas.find((k) => k.id === "05-amd-iommu-v2"), slow[0]);
  if (s === 71) put(dir, katas.find((k) => k.id === "05-amd-iommu-v2"), slow[1]);
}
const out = path.join(tmp, "class-out");
let cached = 0;
const t0 = performance.now();
const summary = await gradeClass(cls, out, {
  root: ROOT,
  katas,
  jobs: 2,
  caseTimeoutMs: 5000,
  kataTimeoutMs: 15000,
  onProgress: (_d, _n, _s, r) => (cached += r.katas.filter((k) => k.cached).length),
});
const classMs = performance.now() - t0;
console.log(`grading: a class of ${summary.students} submissions with 2 jobs: ${(classMs / 1000).toFixed(1)} s (target < 60 s); ${summary.students * katas.length} kata gradings, ${cached} from the cache of identical files, mean ${summary.mean.toFixed(1)}/${summary.max}`);

// --- baseline: plain vitest on the same hidden tests, once per submission (a sample, scaled)
const sample = fs.readdirSync(cls).sort().slice(0, 5);
const baseMs = [];
for (const s of sample) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--config", path.join(ROOT, "scripts/bench/vitest.baseline.mts")], {
    cwd: ROOT,
    env: { ...process.env, TLBKATA_SUBMISSION: path.join(cls, s) },
    encoding: "utf8",
  });
  if (r.status === null) throw new Error(`baseline vitest did not finish: ${r.error}`);
  baseMs.push(performance.now() - t);
}
const perSub = median(baseMs);
console.log(`grading: baseline, plain \`vitest run\` of the hidden tests per submission: median ${(perSub / 1000).toFixed(1)} s (of ${sample.length}), so about ${((perSub * 100) / 1000).toFixed(0)} s for 100, one at a time; grade-class is ${((perSub * 100) / classMs).toFixed(1)}x faster (unsandboxed baseline; hostile files were left out of it)`);
fs.rmSync(tmp, { recursive: true, force: true });
