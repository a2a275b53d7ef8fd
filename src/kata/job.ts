/**
 * Run a kata's suites on one implementation in worker processes: a time limit per
 * case (a hung case loses that case only: the worker is killed and a new one goes on
 * from the next case), a memory limit, and output that is captured, capped, and
 * never mixed into the results.
 */
import { spawn } from "child_process";
import * as crypto from "crypto";
import * as path from "path";
import * as fs from "fs";
import * as os from "os";
import { decodeEvent, cleanText, MAX_LINE, type PlannedCase, type WorkerSpec, type WorkerInput, type CompiledModule, type CompiledUnit } from "./protocol";
import { sandboxCommand, workerDist, PACKAGE_DIST, type Isolation } from "./sandbox";
import { transpileTs, LoadError, COMPILER_KEY } from "./load";
import { citeReadmeRule, type CaseResult } from "./runner";

export interface JobOptions {
  /** Per case, in ms (default 30 s). */
  readonly caseTimeoutMs?: number;
  /** For the whole kata, in ms, enforced while its tests run: once spent, the cases left fail without running (default: none). */
  readonly kataTimeoutMs?: number;
  /** V8 old-space limit of the worker, in MiB (default 512); sandboxed, the kernel also limits its data (ArrayBuffers included). */
  readonly memoryMb?: number;
  /** Working directory of the worker (not sandboxed: a sandboxed worker works in a tmpfs of its own). */
  readonly cwd?: string;
  /** Bytes of the worker's stdout+stderr to keep (default 8 KiB). */
  readonly outputCap?: number;
  /**
   * Untrusted code: compiled here (its size limited), confined in the worker (no Node
   * APIs, frozen intrinsics), and the worker isolated by the operating system as
   * `isolation` says (see sandbox.ts). The caller checks isolationProblem() first.
   */
  readonly sandbox?: {
    readonly isolation: Isolation;
    /** Tests of the OS layer alone: run the untrusted module unconfined (default true: confined). */
    readonly confine?: boolean;
  };
  /** Tests of the parent's checks: another worker script in place of kata/worker.js (unsandboxed runs only). */
  readonly workerScript?: string;
}

/** Why a case failed without a verdict of its own: the machine stopped it (not worth caching). */
export type Interrupted = "timeout" | "kata-timeout" | "stopped";

export interface JobResult {
  readonly cases: readonly PlannedCase[];
  readonly results: readonly (CaseResult & { readonly traceText?: string; readonly interrupted?: Interrupted })[];
  /** The implementation could not be loaded (syntax error, missing export...). */
  readonly loadError?: string;
  /** The load error is the process stopping, not a deterministic verdict. */
  readonly loadInterrupted?: boolean;
  /** What the implementation printed, truncated, without control characters. */
  readonly output: string;
  readonly ms: number;
}

/** Largest learner file graded, bytes (checked before it is read). */
export const MAX_SOURCE = 512 * 1024;

/** The built package (src/dist): workers always run compiled code, even when the parent runs from sources under vitest. */
const DIST = PACKAGE_DIST;
const WORKER = path.join(DIST, "kata", "worker.js");

/** Compiled modules by path and source: a grader compiles each hidden suite once, not once per submission. */
const compiledCache = new Map<string, { source: string; js: string }>();
/**
 * And on disk, in the course folder (trusted, unlike a shared temporary folder): the
 * TypeScript compiler takes some 40 ms a file, which every `check` or `grade` would
 * otherwise pay again for the same suites.
 */
const DISK_CACHE = path.resolve(DIST, "..", "..", ".tlbkata", "cache", "compiled");

function compiledFromDisk(file: string, source: string): string {
  const key = crypto.createHash("sha256").update(`${COMPILER_KEY}\0${file}\0${source}`).digest("hex");
  const cached = path.join(DISK_CACHE, `${key}.js`);
  try {
    return fs.readFileSync(cached, "utf8");
  } catch {
    const js = transpileTs(file, source);
    try {
      fs.mkdirSync(DISK_CACHE, { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, js);
      fs.renameSync(tmp, cached);
    } catch {
      // A read-only course folder: compile every time.
    }
    return js;
  }
}

function compile(file: string): CompiledModule {
  try {
    const source = fs.readFileSync(file, "utf8");
    const hit = compiledCache.get(file);
    if (hit && hit.source === source) return { path: file, js: hit.js };
    const js = compiledFromDisk(file, source);
    compiledCache.set(file, { source, js });
    return { path: file, js };
  } catch (e) {
    if (e instanceof LoadError) return { path: file, js: null, error: e.message };
    return { path: file, js: null, error: `${path.basename(file)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
}

/** Learners' compiled files by name and source, in memory (at most 512). */
const untrustedCache = new Map<string, string>();

/** A learner's file: size checked before reading, not cached on disk (it is not ours to keep). */
function compileUntrusted(file: string): CompiledModule {
  const name = path.basename(file);
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return { path: file, js: null, error: `${name} is not a regular file` };
    if (st.size > MAX_SOURCE) return { path: file, js: null, error: `${name} is ${Math.round(st.size / 1024)} KiB; the grader takes kata files up to ${MAX_SOURCE / 1024} KiB` };
    const buf = Buffer.alloc(st.size);
    const fd = fs.openSync(file, "r");
    let n = 0;
    try {
      n = fs.readSync(fd, buf, 0, st.size, 0);
    } finally {
      fs.closeSync(fd);
    }
    const source = buf.subarray(0, n).toString("utf8");
    if (source.includes("\uFFFD") && !buf.subarray(0, n).equals(Buffer.from(source, "utf8"))) return { path: file, js: null, error: `${name} is not valid UTF-8 text` };
    // In memory only: the same file (a class's copies of a starter, say) is compiled once per grader process.
    const key = crypto.createHash("sha256").update(`${name}\0${source}`).digest("hex");
    let js = untrustedCache.get(key);
    if (js === undefined) {
      js = transpileTs(file, source);
      if (untrustedCache.size >= 512) untrustedCache.delete(untrustedCache.keys().next().value!);
      untrustedCache.set(key, js);
    }
    return { path: file, js };
  } catch (e) {
    if (e instanceof LoadError) return { path: file, js: null, error: cleanText(e.message, 500) };
    return { path: file, js: null, error: `${name}: ${(e as NodeJS.ErrnoException).code ?? "could not be read"}` };
  }
}

/** Trusted code sent to a confined worker: without its source map, which would carry the hidden tests' source text. */
function withoutSourceMap(m: CompiledModule): CompiledModule {
  return m.js === null ? m : { ...m, js: m.js.replace(/\/\/# sourceMappingURL=\S*\s*$/, "") };
}

/** Relative .ts imports of a module (import ... from "./x", require("../y")), resolved. */
function relativeImports(file: string, source: string): string[] {
  const out: string[] = [];
  const re = /(?:from\s+|require\(\s*|import\(\s*)["'](\.{1,2}\/[^"']+)["']/g;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    const base = path.resolve(path.dirname(file), m[1]!);
    const hit = [base, `${base}.ts`, path.join(base, "index.ts")].find((c) => c.endsWith(".ts") && fs.existsSync(c));
    if (hit) out.push(hit);
  }
  return out;
}

/** Trusted code: the implementation's relative .ts imports, compiled, transitively. */
function compileDeps(entry: string): CompiledModule[] {
  const seen = new Set<string>([entry]);
  const out: CompiledModule[] = [];
  const todo = [entry];
  while (todo.length) {
    const f = todo.pop()!;
    let src = "";
    try {
      src = fs.readFileSync(f, "utf8");
    } catch {
      continue;
    }
    for (const d of relativeImports(f, src)) {
      if (seen.has(d)) continue;
      seen.add(d);
      out.push(compile(d));
      todo.push(d);
    }
  }
  return out;
}

/** Drop modules listed twice, and those that are suites themselves. */
function dedupe(ms: CompiledModule[], suites: readonly string[]): CompiledModule[] {
  const seen = new Set(suites);
  return ms.filter((m) => !seen.has(m.path) && (seen.add(m.path), true));
}

type Result = CaseResult & { readonly traceText?: string; readonly interrupted?: Interrupted };

/** What the attempts of one job learn, shared among them. */
interface Progress {
  plan?: PlannedCase[][];
  cases: PlannedCase[];
  /** Where each unit's cases start in `cases` (one more entry: the total). */
  offsets: number[];
  results: Result[];
  loadErrors: Map<number, { message: string; interrupted: boolean }>;
  /** When each unit's first case started: its kata time limit counts from there. */
  firstStart: Map<number, number>;
}

const unitOf = (p: Progress, i: number): number => {
  let u = 0;
  while (u + 1 < p.offsets.length - 1 && p.offsets[u + 1]! <= i) u++;
  return u;
};

interface Attempt {
  loaded: Set<number>;
  /** Unit being loaded when the worker stopped, if it did not finish loading. */
  loading?: number;
  /** Case running when the worker stopped, if it did not finish. */
  running?: number;
  done: boolean;
  /** The worker asked for a fresh one to go on from this unit. */
  fresh?: number;
  reason?: string;
  why?: Interrupted;
}

/** Output kept from the workers, as bytes (decoded and cleaned once, at the end). */
interface Output {
  chunks: Buffer[];
  size: number;
}

/** Most bytes read from one worker's event channel: a worker that sends more is stopped. */
const MAX_EVENTS = 256 << 20;

function workerCommand(o: JobOptions, units: number): { file: string; args: string[]; uid?: number; gid?: number; cwd?: string; fdArgs?: string } {
  const base = [`--max-old-space-size=${o.memoryMb ?? 512}`, "--stack-size=2000"];
  if (!o.sandbox) return { file: process.execPath, args: [...base, o.workerScript ?? WORKER], cwd: o.cwd };
  // Untrusted: no eval or new Function (no way back to a global object through Function);
  // --expose-gc: the worker collects between katas, so one kata's garbage is not the next one's memory limit.
  const flags = [...base, "--disallow-code-generation-from-strings", "--expose-gc"];
  const kataS = Math.ceil((o.kataTimeoutMs ?? 120_000) / 1000);
  const limits = { memoryMb: o.memoryMb ?? 512, cpuSeconds: 30 + 2 * kataS * units };
  const isolation = o.sandbox.isolation;
  if (isolation === "none") {
    const pkg = path.resolve(DIST, "..", "package.json");
    return { file: process.execPath, args: [...flags, "--experimental-permission", "--no-warnings", `--allow-fs-read=${DIST}${path.sep}`, `--allow-fs-read=${pkg}`, WORKER], cwd: o.cwd };
  }
  // Node's permission model too, inside the OS's sandbox: reading the package only.
  const dist = workerDist(isolation, DIST);
  // (Not when a test turns the confinement off to try the OS layer alone.)
  const perm = o.sandbox.confine === false ? [] : ["--experimental-permission", "--no-warnings", `--allow-fs-read=${dist}/`, `--allow-fs-read=${path.dirname(dist)}/package.json`];
  const c = sandboxCommand(isolation, DIST, [...flags, ...perm], limits, ARGS_FD);
  return { file: c.file, args: [...c.args], uid: c.uid, gid: c.gid, cwd: "/", fdArgs: c.fdArgs };
}

function signalName(n: number): NodeJS.Signals | null {
  const hit = Object.entries(os.constants.signals).find(([, v]) => v === n);
  return hit ? (hit[0] as NodeJS.Signals) : null;
}

/** The descriptor bwrap reads its options from. */
const ARGS_FD = 4;

function attempt(input: Omit<WorkerInput, "key">, o: JobOptions, output: Output, p: Progress): Promise<Attempt> {
  const key = crypto.randomBytes(32);
  const timeout = o.caseTimeoutMs ?? 30_000;
  const loadTimeout = Math.max(timeout, 15_000);
  const cap = o.outputCap ?? 8192;
  const a: Attempt = { loaded: new Set(), done: false };
  const cmd = workerCommand(o, input.units.length);
  return new Promise((resolve) => {
    const child = spawn(cmd.file, cmd.args, {
      cwd: cmd.cwd,
      uid: cmd.uid,
      gid: cmd.gid,
      stdio: ["pipe", "pipe", "pipe", "pipe", ...(cmd.fdArgs !== undefined ? (["pipe"] as const) : [])],
      // Sandboxed, nothing of the grader's environment (bwrap sets the worker's own).
      env: o.sandbox && o.sandbox.isolation !== "none" ? {} : { PATH: process.env.PATH ?? "", NODE_ENV: "production" },
    });
    if (cmd.fdArgs !== undefined) {
      const w = child.stdio[ARGS_FD] as NodeJS.WritableStream;
      w.on("error", () => undefined);
      w.end(cmd.fdArgs);
    }
    let timer: NodeJS.Timeout | undefined;
    const stop = (why: Interrupted | undefined, reason: string): void => {
      if (!a.reason) {
        a.reason = reason;
        a.why = why;
      }
      child.kill("SIGKILL");
    };
    const arm = (why: Interrupted, reason: string, ms: number): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => stop(why, reason), Math.max(0, ms));
    };
    arm("stopped", "took too long to start", loadTimeout);
    const keep = (chunk: Buffer): void => {
      if (output.size >= cap) return;
      const part = chunk.subarray(0, cap - output.size);
      output.chunks.push(part);
      output.size += part.length;
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    let pending: Buffer[] = [];
    let pendingSize = 0;
    let total = 0;
    const line = (bytes: Buffer): void => {
      const e = decodeEvent(key, bytes);
      if (!e || a.done) return;
      if (e.t === "plan") {
        // The first plan, sent before any learner code was loaded, is the one that counts.
        if (!p.plan) {
          p.plan = e.units.map((u) => [...u]);
          p.cases = p.plan.flat();
          p.offsets = [0];
          for (const q of p.plan) p.offsets.push(p.offsets[p.offsets.length - 1]! + q.length);
        }
      } else if (!p.plan) {
        return;
      } else if (e.t === "loading") {
        if (e.u >= p.plan.length) return;
        a.loading = e.u;
        arm("stopped", "took too long to load", loadTimeout);
      } else if (e.t === "load-error") {
        if (a.loading !== e.u) return;
        p.loadErrors.set(e.u, { message: e.message, interrupted: false });
        a.loading = undefined;
      } else if (e.t === "loaded") {
        if (a.loading !== e.u) return;
        a.loaded.add(e.u);
        a.loading = undefined;
      } else if (e.t === "start") {
        if (e.i >= p.cases.length || a.running !== undefined) return;
        const u = unitOf(p, e.i);
        if (!a.loaded.has(u) || p.results[e.i]) return;
        a.running = e.i;
        if (!p.firstStart.has(u)) p.firstStart.set(u, Date.now());
        const left = o.kataTimeoutMs === undefined ? Infinity : p.firstStart.get(u)! + o.kataTimeoutMs - Date.now();
        if (left < timeout) arm("kata-timeout", "used up the kata's time limit", left);
        else arm("timeout", `took longer than ${timeout / 1000} s`, timeout);
      } else if (e.t === "case") {
        if (a.running !== e.i) return;
        // Data only: the names and points are the plan's, the score follows from them.
        const planned = p.cases[e.i]!;
        const { ok, message, rule, ms } = e.result;
        p.results[e.i] = { ...planned, score: ok ? planned.points : 0, ok, message: ok ? undefined : message, rule: ok ? undefined : rule, ms, traceText: e.trace };
        a.running = undefined;
      } else if (e.t === "fresh") {
        if (a.loading !== undefined || a.running !== undefined || e.u >= p.plan.length) return;
        a.fresh = e.u;
        child.kill("SIGKILL");
      } else if (e.t === "done") {
        a.done = true;
        // Nothing the worker does after this counts: do not wait for it.
        child.kill("SIGKILL");
      }
    };
    const events = child.stdio[3] as NodeJS.ReadableStream;
    events.on("data", (chunk: Buffer) => {
      total += chunk.length;
      if (total > MAX_EVENTS) return stop("stopped", `sent more than ${MAX_EVENTS >> 20} MiB of messages`);
      let start = 0;
      for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
        const piece = chunk.subarray(start, nl);
        const whole = pendingSize ? Buffer.concat([...pending, piece]) : piece;
        pending = [];
        pendingSize = 0;
        start = nl + 1;
        if (whole.length <= MAX_LINE) line(whole);
      }
      if (start < chunk.length) {
        pending.push(chunk.subarray(start));
        pendingSize += chunk.length - start;
        // A line longer than any event: the worker is stopped rather than the grader filled.
        if (pendingSize > MAX_LINE) {
          pending = [];
          pendingSize = 0;
          stop("stopped", `sent a message larger than ${MAX_LINE >> 20} MiB`);
        }
      }
    });
    child.on("error", (err) => {
      if (!a.reason) a.reason = `could not be started (${err.message})`;
    });
    child.on("close", (code, sig) => {
      if (timer) clearTimeout(timer);
      // bwrap, the worker's parent in the sandbox, exits with 128 + the signal that killed the worker.
      const signal = sig ?? (o.sandbox && code !== null && code > 128 && code < 128 + 65 ? signalName(code - 128) : null);
      if (!a.done && !a.reason) {
        const text = Buffer.concat(output.chunks).toString("utf8");
        const oom = /heap out of memory|Allocation failed|allocation failed/i.test(text);
        a.reason = oom ? "ran out of memory" : signal === "SIGXCPU" ? "used up its CPU time" : signal ? `was killed (${signal})` : `exited with status ${code}`;
        a.why = "stopped";
      }
      resolve(a);
    });
    child.stdin!.on("error", () => undefined);
    const full: WorkerInput = { key: key.toString("hex"), ...input };
    child.stdin!.end(JSON.stringify(full));
  });
}

/**
 * Run several katas' suites, each on its implementation, one after the other in one
 * worker (a crash, hang or blow-up costs the test, or the kata's load, where it
 * happened: a new worker goes on after it). Never throws for anything the code does.
 */
export async function runKataJobs(units: readonly WorkerSpec[], o: JobOptions = {}): Promise<JobResult[]> {
  const t0 = Date.now();
  const output: Output = { chunks: [], size: 0 };
  const confine = Boolean(o.sandbox) && o.sandbox!.confine !== false;
  const trusted = (m: CompiledModule): CompiledModule => (confine ? withoutSourceMap(m) : m);
  const compiled: CompiledUnit[] = units.map((u) => ({
    suites: u.suites.map((f) => trusted(compile(f))),
    impl: o.sandbox ? compileUntrusted(u.impl) : compile(u.impl),
    // Untrusted code gets nothing but itself; trusted code (mutants, solutions) its relative imports.
    deps: o.sandbox ? [] : compileDeps(u.impl),
  }));
  const allSuites = units.flatMap((u) => u.suites);
  const base = { units, compiled, suiteDeps: dedupe(allSuites.flatMap((f) => compileDeps(f)), allSuites).map(trusted), confine };
  const p: Progress = { cases: [], offsets: [0], results: [], loadErrors: new Map(), firstStart: new Map() };
  const fill = (u: number, why: string, interrupted?: Interrupted): void => {
    for (let i = p.offsets[u]!; i < p.offsets[u + 1]!; i++) p.results[i] ??= { ...p.cases[i]!, score: 0, ok: false, message: why, ms: 0, interrupted };
  };
  const kataLimit = `not run: the kata's time limit (${Math.round((o.kataTimeoutMs ?? 0) / 1000)} s) was used up`;
  let from = 0;
  let starts = 0;
  for (;;) {
    const a = await attempt({ ...base, from }, o, output, p);
    // Stopped before its plan (killed from outside, say): no learner code ran yet, so try again.
    if (!p.plan && ++starts < 3 && a.reason && !/exited with status/.test(a.reason)) continue;
    if (!p.plan) {
      const said = cleanText(Buffer.concat(output.chunks).toString("utf8"), 300).split("\n").find((l) => /Error/.test(l)) ?? "";
      throw new Error(`the kata worker could not start: ${a.reason ?? "no plan"}${said ? `: ${said}` : ""}`);
    }
    const total = p.cases.length;
    if (a.done) break;
    // A fresh worker for the next kata, asked for between katas: nothing failed.
    if (a.fresh !== undefined && p.offsets[a.fresh]! > from) {
      from = p.offsets[a.fresh]!;
      continue;
    }
    let next: number;
    if (a.loading !== undefined) {
      // Dying while its module loads (process.exit at the top level, say) is that kata's load failure.
      const u = a.loading;
      p.loadErrors.set(u, { message: `kata ${units[u]!.kataId}: ${path.basename(units[u]!.impl)} stopped the test process while loading (it ${a.reason ?? "stopped"})`, interrupted: true });
      next = p.offsets[u + 1]!;
    } else {
      // The worker stopped inside case `stuck` (or between cases): that case fails, go on after it.
      const stuck = a.running ?? p.results.findIndex((r, i) => i >= from && r === undefined);
      let at = stuck >= 0 ? stuck : total;
      if (at >= total) {
        // Stopped after its last case but before saying done: every case has its result.
        at = p.results.length < total ? p.results.findIndex((r) => r === undefined) : total;
        if (at < 0 || at >= total) break;
      }
      const u = unitOf(p, at);
      if (a.why === "kata-timeout") {
        p.results[at] = { ...p.cases[at]!, score: 0, ok: false, message: `your code used up the kata's time limit (${Math.round(o.kataTimeoutMs! / 1000)} s) during this test`, ms: 0, interrupted: "kata-timeout" };
        fill(u, kataLimit, "kata-timeout");
        next = p.offsets[u + 1]!;
      } else {
        p.results[at] = { ...p.cases[at]!, score: 0, ok: false, message: `your code ${a.reason ?? "stopped"} during this test`, ms: 0, interrupted: a.why ?? "stopped" };
        next = at + 1;
        const began = p.firstStart.get(u);
        if (o.kataTimeoutMs !== undefined && began !== undefined && Date.now() - began > o.kataTimeoutMs && next < p.offsets[u + 1]!) {
          fill(u, kataLimit, "kata-timeout");
          next = p.offsets[u + 1]!;
        }
      }
    }
    from = next;
    if (from >= total) break;
  }
  const text = cleanText(Buffer.concat(output.chunks).toString("utf8"), o.outputCap ?? 8192);
  return units.map((_, u) => {
    const err = p.loadErrors.get(u);
    fill(u, err?.message ?? "not run", err?.interrupted ? "stopped" : undefined);
    const results = p.results.slice(p.offsets[u]!, p.offsets[u + 1]!).map((r) => citeReadmeRule(r, units[u]!.readmeRules));
    return { cases: p.plan![u]!, results, loadError: err?.message, loadInterrupted: err?.interrupted, output: text, ms: Date.now() - t0 };
  });
}


/** Run every case of `suites` on `impl`, in a worker of its own. */
export async function runKataJob(spec: WorkerSpec, o: JobOptions = {}): Promise<JobResult> {
  return (await runKataJobs([spec], o))[0]!;
}
