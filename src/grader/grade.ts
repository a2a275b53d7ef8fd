/**
 * Grade one submission with the hidden tests, in sandboxed workers (see kata/job.ts):
 * the submission's katas are shared among `jobs` workers, each running its katas one
 * after the other; a crash, hang or memory blow-up costs only the test (or the kata's
 * load) where it happened. Partial credit per test, a kernel-worded message per
 * failure. A kata that cannot be graded (no file, edited protected files, does not
 * load) gets zero with the reason; the other katas are graded normally.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { VERSION } from "../version";
import { writeAtomic } from "./files";
import { kataWorkerSpec, type KataInfo } from "../kata/catalog";
import { runKataJobs, MAX_SOURCE, type JobResult } from "../kata/job";
import { isolationProblem, type Isolation } from "../kata/sandbox";
import type { WorkerSpec } from "../kata/protocol";
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
  /**
   * How submissions are isolated (see kata/sandbox.ts): "namespaces" (bubblewrap, the
   * default), "user" (an unprivileged user and kernel limits, for containers that
   * refuse namespaces) or "none" (code the instructor trusts).
   */
  readonly isolation?: Isolation;
  /** Tests of the OS layer alone: false runs the learner's module unconfined inside the sandbox. */
  readonly confine?: boolean;
}

/** The machine cannot isolate submissions as asked: grading refuses to start. */
export class IsolationError extends Error {}

/** Throws IsolationError, with what to do, when `isolation` is not available here. */
export function checkIsolation(isolation: Isolation): void {
  const why = isolationProblem(isolation);
  if (!why) return;
  const how =
    isolation === "namespaces"
      ? "install bubblewrap and allow user namespaces (see docs/GRADING.md), or pass --isolation user (root only: an unprivileged user and kernel limits, no namespaces) or --trusted for code you trust"
      : "pass --trusted only for code you trust";
  throw new IsolationError(`cannot isolate untrusted submissions here: ${why}; ${how}`);
}

/** Limits: per test 20 s, per kata 120 s, 512 MiB. */
const limits = (o: GradeOptions) => ({
  caseTimeoutMs: o.caseTimeoutMs ?? 20_000,
  kataTimeoutMs: o.kataTimeoutMs ?? 120_000,
  memoryMb: o.memoryMb ?? 512,
  sandbox: { isolation: o.isolation ?? "namespaces", confine: o.confine },
});

function cacheKey(kata: KataInfo, file: string, o: GradeOptions): string {
  const h = crypto.createHash("sha256");
  h.update(JSON.stringify({ v: VERSION, kata: kata.id, limits: [o.caseTimeoutMs, o.kataTimeoutMs, o.memoryMb] }));
  for (const f of kata.hidden) h.update(fs.readFileSync(f));
  h.update("\0impl\0");
  h.update(fs.readFileSync(file));
  return h.digest("hex");
}

function toKataResult(kata: KataInfo, r: JobResult, reason?: string): KataResult {
  const tests = r.results.map((x) => ({
    suite: x.suite,
    name: x.name,
    score: reason ? 0 : x.score,
    max: x.points,
    ok: reason ? false : x.ok,
    message: reason ?? (x.ok ? undefined : x.message),
  }));
  return {
    id: kata.id,
    title: kata.title,
    score: tests.reduce((n, t) => n + t.score, 0),
    max: tests.reduce((n, t) => n + t.max, 0),
    error: reason ?? r.loadError,
    tests,
    ms: r.ms,
  };
}

interface Unit {
  readonly sub: SubmittedKata;
  readonly spec: WorkerSpec;
  /** Set when the kata is not run: the reason every test scores 0. */
  readonly reason?: string;
  readonly cacheFile?: string;
}

/** Why a learner's file is not graded for its size (checked before it is read), or undefined. */
function tooLarge(file: string): string | undefined {
  const size = fs.statSync(file).size;
  return size > MAX_SOURCE ? `${path.basename(file)} is ${Math.round(size / 1024)} KiB; the grader takes kata files up to ${MAX_SOURCE / 1024} KiB` : undefined;
}

/** How long a kata's hidden tests take, roughly: the size of their source. */
function weight(kata: KataInfo): number {
  return kata.hidden.reduce((n, f) => n + fs.statSync(f).size, 0);
}

/** Share items among `n` groups so that their weights come out even (heaviest first, to the lightest group). */
function balance(items: readonly number[], n: number, w: (i: number) => number): number[][] {
  const groups = Array.from({ length: n }, () => ({ load: 0, items: [] as number[] }));
  for (const i of [...items].sort((a, b) => w(b) - w(a))) {
    const g = groups.reduce((a, b) => (b.load < a.load ? b : a));
    g.items.push(i);
    g.load += w(i);
  }
  return groups.map((g) => g.items.sort((a, b) => a - b));
}

/** Grade some katas of one submission: the cached ones from the cache, the rest in `jobs` workers. */
export async function gradeKatas(subs: readonly SubmittedKata[], o: GradeOptions): Promise<KataResult[]> {
  const units: Unit[] = subs.map((sub) => {
    const { kata } = sub;
    const reason = sub.tampered ?? (sub.file ? tooLarge(sub.file) : `no ${path.basename(kata.file)} in the submission`);
    // A kata not run still goes to a worker with no implementation: it reports the tests and points.
    const impl = reason || !sub.file ? path.join(kata.dir, ".no-submission.ts") : sub.file;
    const spec: WorkerSpec = kataWorkerSpec(kata, impl, kata.hidden);
    const cacheFile = !reason && sub.file && o.cacheDir ? path.join(o.cacheDir, kata.id, `${cacheKey(kata, sub.file, o)}.json`) : undefined;
    return { sub, spec, reason, cacheFile };
  });
  const out: (KataResult | undefined)[] = units.map((u) => {
    if (!u.cacheFile) return undefined;
    try {
      return { ...(JSON.parse(fs.readFileSync(u.cacheFile, "utf8")) as KataResult), cached: true };
    } catch {
      return undefined;
    }
  });
  const todo = units.map((_, i) => i).filter((i) => !out[i]);
  const jobs = Math.max(1, Math.min(o.jobs ?? 2, todo.length));
  const groups = balance(todo, jobs, (i) => (units[i]!.reason ? 0 : weight(units[i]!.sub.kata)));
  await Promise.all(
    groups.map(async (g) => {
      if (!g.length) return;
      const rs = await runKataJobs(g.map((i) => units[i]!.spec), limits(o));
      g.forEach((i, k) => {
        const u = units[i]!;
        const r = toKataResult(u.sub.kata, rs[k]!, u.reason);
        out[i] = r;
        // Only a verdict the code reached by itself is remembered: not one cut short by a time limit, a kill or a crash.
        const job = rs[k]!;
        // Running out of memory depends on the machine as much as on the code.
        const exhausted = job.results.some((t) => /allocation failed|out of memory/i.test(t.message ?? ""));
        if (u.cacheFile && !u.reason && !job.loadInterrupted && !exhausted && !job.results.some((t) => t.interrupted)) writeAtomic(u.cacheFile, JSON.stringify(r));
      });
    }),
  );
  return out as KataResult[];
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
  checkIsolation(o.isolation ?? "namespaces");
  const subs = readSubmission(dir, o.katas, readManifest(dir));
  const katas = await gradeKatas(subs, o);
  return {
    submission: path.basename(path.resolve(dir)),
    score: katas.reduce((n, k) => n + k.score, 0),
    max: katas.reduce((n, k) => n + k.max, 0),
    katas,
    ms: Date.now() - t0,
  };
}
