/**
 * Grade one submission with the hidden tests: each kata in its own sandboxed worker
 * (see kata/job.ts), partial credit per test, a kernel-worded message per failure.
 * A kata that cannot be graded (no file, edited protected files, does not load) gets
 * zero with the reason; the other katas are graded normally.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { VERSION } from "../version";
import { writeAtomic } from "./files";
import type { KataInfo } from "../kata/catalog";
import { runKataJob } from "../kata/job";
import { readSubmission, readManifest, type SubmittedKata } from "./submission";

export interface TestResult {
  readonly suite: string;
  readonly name: string;
  readonly score: number;
  readonly max: number;
  readonly ok: boolean;
  /** Why it failed (rule, step, address), for the student. */
  readonly message?: string;
}

export interface KataResult {
  readonly id: string;
  readonly title: string;
  readonly score: number;
  readonly max: number;
  /** Set when the kata was not run or its file did not load: every test scored 0 for this reason. */
  readonly error?: string;
  readonly tests: readonly TestResult[];
  readonly ms: number;
  /** Taken from the cache of identical work (see GradeOptions.cacheDir). */
  readonly cached?: boolean;
}

export interface SubmissionResult {
  readonly submission: string;
  readonly score: number;
  readonly max: number;
  readonly katas: readonly KataResult[];
  readonly ms: number;
}

export interface GradeOptions {
  /** Course root: where node_modules and the hidden tests are. */
  readonly root: string;
  readonly katas: readonly KataInfo[];
  /** Katas graded at once (each in its own process). */
  readonly jobs?: number;
  readonly caseTimeoutMs?: number;
  readonly kataTimeoutMs?: number;
  readonly memoryMb?: number;
  /**
   * Reuse results of identical work: the same kata file (byte for byte) graded by the
   * same hidden tests, grader version and limits gives the same result (grading is
   * deterministic), so it is graded once. Results are kept in this folder.
   */
  readonly cacheDir?: string;
}

/** Limits: per test 20 s, per kata 120 s, 512 MiB. */
const limits = (o: GradeOptions) => ({
  caseTimeoutMs: o.caseTimeoutMs ?? 20_000,
  kataTimeoutMs: o.kataTimeoutMs ?? 120_000,
  memoryMb: o.memoryMb ?? 512,
  sandbox: { nodeModules: path.join(o.root, "node_modules") },
});

/** Hidden suites of a kata, with their points, for a kata that is not run at all. */
async function planOnly(kata: KataInfo, o: GradeOptions, reason: string): Promise<KataResult> {
  // A worker given no implementation still reports the plan (tests and points), then fails to load.
  const r = await runKataJob(
    { impl: path.join(kata.dir, ".no-submission.ts"), kataId: kata.id, exports: kata.exports, suites: kata.hidden, traces: false },
    limits(o),
  );
  const tests = r.cases.map((c) => ({ suite: c.suite, name: c.name, score: 0, max: c.points, ok: false, message: reason }));
  return { id: kata.id, title: kata.title, score: 0, max: tests.reduce((n, t) => n + t.max, 0), error: reason, tests, ms: r.ms };
}

function cacheKey(kata: KataInfo, file: string, o: GradeOptions): string {
  const h = crypto.createHash("sha256");
  h.update(JSON.stringify({ v: VERSION, kata: kata.id, limits: [o.caseTimeoutMs, o.kataTimeoutMs, o.memoryMb] }));
  for (const f of kata.hidden) h.update(fs.readFileSync(f));
  h.update("\0impl\0");
  h.update(fs.readFileSync(file));
  return h.digest("hex");
}

export async function gradeKata(s: SubmittedKata, o: GradeOptions): Promise<KataResult> {
  const { kata } = s;
  if (s.tampered) return planOnly(kata, o, s.tampered);
  if (!s.file) return planOnly(kata, o, `no ${path.basename(kata.file)} in the submission`);
  if (o.cacheDir) {
    const cached = path.join(o.cacheDir, kata.id, `${cacheKey(kata, s.file, o)}.json`);
    try {
      return { ...(JSON.parse(fs.readFileSync(cached, "utf8")) as KataResult), cached: true };
    } catch {
      const r = await gradeKata(s, { ...o, cacheDir: undefined });
      // A result cut short by the machine (a time limit) is not worth remembering.
      if (!r.tests.some((t) => /took longer than|time limit/.test(t.message ?? ""))) writeAtomic(cached, JSON.stringify(r));
      return r;
    }
  }
  const r = await runKataJob(
    { impl: s.file, kataId: kata.id, exports: kata.exports, suites: kata.hidden, traces: false },
    limits(o),
  );
  const tests = r.results.map((x) => ({ suite: x.suite, name: x.name, score: x.score, max: x.points, ok: x.ok, message: x.ok ? undefined : x.message }));
  return {
    id: kata.id,
    title: kata.title,
    score: tests.reduce((n, t) => n + t.score, 0),
    max: tests.reduce((n, t) => n + t.max, 0),
    error: r.loadError,
    tests,
    ms: r.ms,
  };
}

/** Run `f` over `items` with at most `jobs` at once, keeping the order of results. */
export async function pool<T, R>(items: readonly T[], jobs: number, f: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  return out;
}

export async function gradeSubmission(dir: string, o: GradeOptions): Promise<SubmissionResult> {
  const t0 = Date.now();
  const subs = readSubmission(dir, o.katas, readManifest(dir));
  const katas = await pool(subs, o.jobs ?? 2, (s) => gradeKata(s, o));
  return {
    submission: path.basename(path.resolve(dir)),
    score: katas.reduce((n, k) => n + k.score, 0),
    max: katas.reduce((n, k) => n + k.max, 0),
    katas,
    ms: Date.now() - t0,
  };
}
