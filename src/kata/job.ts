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
import { decodeEvent, type PlannedCase, type WorkerSpec, type WorkerInput, type CompiledModule, type CompiledUnit } from "./protocol";
import { transpileTs, LoadError, COMPILER_KEY } from "./load";
import type { CaseResult } from "./runner";

export interface JobOptions {
  /** Per case, in ms (default 30 s). */
  readonly caseTimeoutMs?: number;
  /** For the whole kata, in ms: once spent, the cases left fail without running (default: none). */
  readonly kataTimeoutMs?: number;
  /** V8 old-space limit of the worker, in MiB (default 512). */
  readonly memoryMb?: number;
  /** Working directory of the worker. */
  readonly cwd?: string;
  /** Bytes of the worker's stdout+stderr to keep (default 8 KiB). */
  readonly outputCap?: number;
  /**
   * Untrusted code: compile here, and run the worker under Node's permission model,
   * able to read only the simulation package and `nodeModules`, and to write nothing.
   */
  readonly sandbox?: { readonly nodeModules: string };
}

export interface JobResult {
  readonly cases: readonly PlannedCase[];
  readonly results: readonly (CaseResult & { readonly traceText?: string })[];
  /** The implementation could not be loaded (syntax error, missing export...). */
  readonly loadError?: string;
  /** What the implementation printed, truncated. */
  readonly output: string;
  readonly ms: number;
}

/** The built package (src/dist): workers always run compiled code, even when the parent runs from sources under vitest. */
const DIST = path.basename(path.resolve(__dirname, "..")) === "dist" ? path.resolve(__dirname, "..") : path.resolve(__dirname, "..", "dist");
const WORKER = path.join(DIST, "kata", "worker.js");

/** The package's own files: what a sandboxed worker must be able to read. */
const PACKAGE_DIST = DIST;
const PACKAGE_JSON = path.resolve(DIST, "..", "package.json");

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

interface Attempt {
  plan?: PlannedCase[][];
  results: Map<number, CaseResult & { traceText?: string }>;
  loadErrors: Map<number, string>;
  loaded: Set<number>;
  /** Unit being loaded when the worker stopped, if it did not finish loading. */
  loading?: number;
  /** Case running when the worker stopped, if it did not finish. */
  running?: number;
  /** When each unit's first case started (for the per-kata budget). */
  firstStart: Map<number, number>;
  done: boolean;
  reason?: string;
}

function attempt(input: Omit<WorkerInput, "key">, o: JobOptions, output: { text: string }, unitOf: (i: number) => number): Promise<Attempt> {
  const key = crypto.randomBytes(32);
  const timeout = o.caseTimeoutMs ?? 30_000;
  const loadTimeout = Math.max(timeout, 15_000);
  const cap = o.outputCap ?? 8192;
  const a: Attempt = { results: new Map(), loadErrors: new Map(), loaded: new Set(), firstStart: new Map(), done: false };
  const flags = [`--max-old-space-size=${o.memoryMb ?? 512}`, "--stack-size=2000"];
  if (o.sandbox) {
    flags.push("--experimental-permission", "--no-warnings", `--allow-fs-read=${PACKAGE_DIST}${path.sep}`, `--allow-fs-read=${PACKAGE_JSON}`, `--allow-fs-read=${o.sandbox.nodeModules}${path.sep}`);
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...flags, WORKER], {
      cwd: o.cwd,
      stdio: ["pipe", "pipe", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "production" },
    });
    let timer: NodeJS.Timeout | undefined;
    const arm = (why: string, ms: number): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        a.reason = why;
        child.kill("SIGKILL");
      }, ms);
    };
    arm("took too long to start", loadTimeout);
    const keep = (chunk: Buffer): void => {
      if (output.text.length < cap) output.text += chunk.toString("utf8").slice(0, cap - output.text.length);
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    let pending = "";
    const events = child.stdio[3] as NodeJS.ReadableStream;
    events.on("data", (chunk: Buffer) => {
      pending += chunk.toString("utf8");
      // A worker that floods fd 3 with junk cannot make the parent grow without bound.
      if (pending.length > 16 << 20) child.kill("SIGKILL");
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const e = decodeEvent(key, line);
        if (!e) continue;
        if (e.t === "plan") a.plan = e.units.map((u) => [...u]);
        else if (e.t === "loading") {
          a.loading = e.u;
          arm("took too long to load", loadTimeout);
        } else if (e.t === "load-error") {
          a.loadErrors.set(e.u, e.message);
          a.loading = undefined;
        } else if (e.t === "loaded") {
          a.loaded.add(e.u);
          a.loading = undefined;
        } else if (e.t === "start") {
          a.running = e.i;
          const u = unitOf(e.i);
          if (!a.firstStart.has(u)) a.firstStart.set(u, Date.now());
          arm(`took longer than ${timeout / 1000} s`, timeout);
        } else if (e.t === "case") {
          a.results.set(e.i, { ...e.result, traceText: e.trace });
          a.running = undefined;
        } else if (e.t === "done") a.done = true;
      }
    });
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      if (!a.done && !a.reason) {
        const oom = /heap out of memory|Allocation failed/i.test(output.text);
        a.reason = oom ? "ran out of memory" : signal ? `was killed (${signal})` : `exited with status ${code}`;
      }
      resolve(a);
    });
    child.stdin!.on("error", () => undefined);
    const full: WorkerInput = { key: key.toString("hex"), ...input };
    child.stdin!.end(JSON.stringify(full));
  });
}

type Result = CaseResult & { readonly traceText?: string };

/**
 * Run several katas' suites, each on its implementation, one after the other in one
 * worker (a crash, hang or blow-up costs the test, or the kata's load, where it
 * happened: a new worker goes on after it). Never throws for anything the code does.
 */
export async function runKataJobs(units: readonly WorkerSpec[], o: JobOptions = {}): Promise<JobResult[]> {
  const t0 = Date.now();
  const output = { text: "" };
  const compiled: CompiledUnit[] = units.map((u) => ({
    suites: u.suites.map(compile),
    impl: compile(u.impl),
    // Untrusted code gets nothing but itself; trusted code (mutants, solutions) its relative imports.
    deps: o.sandbox ? [] : compileDeps(u.impl),
  }));
  const allSuites = units.flatMap((u) => u.suites);
  const base = { units, compiled, suiteDeps: dedupe(allSuites.flatMap((f) => compileDeps(f)), allSuites), nodeModules: o.sandbox ? o.sandbox.nodeModules : null };
  let plan: PlannedCase[][] | undefined;
  /** The plan's cases in one list, and where each unit's start in it. */
  let cases: PlannedCase[] = [];
  let offsets: number[] = [];
  const unitOf = (i: number): number => {
    let u = 0;
    while (u + 1 < offsets.length && offsets[u + 1]! <= i) u++;
    return u;
  };
  const results: Result[] = [];
  const loadErrors = new Map<number, string>();
  const firstStart = new Map<number, number>();
  const fill = (u: number, why: string): void => {
    for (let i = offsets[u]!; i < offsets[u + 1]!; i++) results[i] ??= { ...cases[i]!, score: 0, ok: false, message: why, ms: 0 };
  };
  let from = 0;
  for (;;) {
    const a = await attempt({ ...base, from }, o, output, unitOf);
    if (!plan) {
      plan = a.plan;
      if (!plan) throw new Error(`the kata worker could not start: ${a.reason ?? "no plan"}${output.text ? `: ${output.text.split("\n")[0]}` : ""}`);
      cases = plan.flat();
      offsets = [0];
      for (const p of plan) offsets.push(offsets[offsets.length - 1]! + p.length);
    }
    const total = cases.length;
    for (const [i, r] of a.results) results[i] = r;
    for (const [u, m] of a.loadErrors) loadErrors.set(u, m);
    for (const [u, t] of a.firstStart) if (!firstStart.has(u)) firstStart.set(u, t);
    if (a.done) break;
    let next: number;
    if (a.loading !== undefined) {
      // Dying while its module loads (process.exit at the top level, say) is that kata's load failure.
      const u = a.loading;
      loadErrors.set(u, `kata ${units[u]!.kataId}: ${path.basename(units[u]!.impl)} stopped the test process while loading (it ${a.reason ?? "stopped"})`);
      next = offsets[u + 1]!;
    } else {
      // The worker stopped inside case `stuck` (or between cases): that case fails, go on after it.
      const stuck = a.running ?? results.findIndex((r, i) => i >= from && r === undefined);
      const at = stuck >= 0 ? stuck : total;
      if (at >= total) break;
      results[at] = { ...cases[at]!, score: 0, ok: false, message: `your code ${a.reason ?? "stopped"} during this test`, ms: 0 };
      next = at + 1;
      const u = unitOf(at);
      const began = firstStart.get(u);
      if (o.kataTimeoutMs !== undefined && began !== undefined && Date.now() - began > o.kataTimeoutMs && next < offsets[u + 1]!) {
        fill(u, `not run: the kata's time limit (${Math.round(o.kataTimeoutMs / 1000)} s) was used up by tests that did not finish`);
        next = offsets[u + 1]!;
      }
    }
    from = next;
    if (from >= total) break;
  }
  return units.map((_, u) => {
    const err = loadErrors.get(u);
    fill(u, err ?? "not run");
    return { cases: plan![u]!, results: results.slice(offsets[u]!, offsets[u + 1]!), loadError: err, output: output.text, ms: Date.now() - t0 };
  });
}


/** Run every case of `suites` on `impl`, in a worker of its own. */
export async function runKataJob(spec: WorkerSpec, o: JobOptions = {}): Promise<JobResult> {
  return (await runKataJobs([spec], o))[0]!;
}
