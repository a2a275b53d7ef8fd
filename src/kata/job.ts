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
import { decodeEvent, type PlannedCase, type WorkerSpec, type WorkerInput, type CompiledModule } from "./protocol";
import { transpileTs, LoadError } from "./load";
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

interface Attempt {
  plan?: PlannedCase[];
  loadError?: string;
  loaded: boolean;
  results: Map<number, CaseResult & { traceText?: string }>;
  /** Case running when the worker stopped, if it did not finish. */
  running?: number;
  done: boolean;
  reason?: string;
}

/** The package's own files: what a sandboxed worker must be able to read. */
const PACKAGE_DIST = DIST;
const PACKAGE_JSON = path.resolve(DIST, "..", "package.json");

/** Compiled modules by path and source: a grader compiles each hidden suite once, not once per submission. */
const compiledCache = new Map<string, { source: string; js: string }>();

function compile(file: string): CompiledModule {
  try {
    const source = fs.readFileSync(file, "utf8");
    const hit = compiledCache.get(file);
    if (hit && hit.source === source) return { path: file, js: hit.js };
    const js = transpileTs(file, source);
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

function attempt(spec: WorkerSpec, o: JobOptions, output: { text: string }, compiled: WorkerInput["compiled"]): Promise<Attempt> {
  const key = crypto.randomBytes(32);
  const timeout = o.caseTimeoutMs ?? 30_000;
  const cap = o.outputCap ?? 8192;
  const a: Attempt = { results: new Map(), done: false, loaded: false };
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
    const arm = (why: string, ms = timeout): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        a.reason = why;
        child.kill("SIGKILL");
      }, ms);
    };
    arm("took too long to start", Math.max(timeout, 15_000));
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
        if (e.t === "plan") a.plan = [...e.cases];
        else if (e.t === "load-error") a.loadError = e.message;
        else if (e.t === "loaded") a.loaded = true;
        else if (e.t === "start") {
          a.running = e.i;
          arm(`took longer than ${timeout / 1000} s`);
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
    const input: WorkerInput = { key: key.toString("hex"), spec, compiled };
    child.stdin!.end(JSON.stringify(input));
  });
}

/** Run every case of `suites` on `impl`. Never throws for anything the implementation does. */
export async function runKataJob(spec: Omit<WorkerSpec, "from">, o: JobOptions = {}): Promise<JobResult> {
  const t0 = Date.now();
  const output = { text: "" };
  const results: (CaseResult & { traceText?: string })[] = [];
  let plan: PlannedCase[] | undefined;
  let from = 0;
  const compiled = {
    suites: spec.suites.map(compile),
    impl: compile(spec.impl),
    // Suites may import helpers beside them; untrusted code gets nothing but itself,
    // trusted code (mutants, solutions) its relative imports too.
    suiteDeps: dedupe(spec.suites.flatMap((f) => compileDeps(f)), spec.suites),
    deps: o.sandbox ? [] : compileDeps(spec.impl),
    nodeModules: o.sandbox ? o.sandbox.nodeModules : null,
  };
  for (;;) {
    const a = await attempt({ ...spec, from }, o, output, compiled);
    plan ??= a.plan;
    if (!plan) {
      // The worker died before it could read the suites: nothing can be graded.
      throw new Error(`the kata worker could not start: ${a.reason ?? "no plan"}${output.text ? `: ${output.text.split("\n")[0]}` : ""}`);
    }
    for (const [i, r] of a.results) results[i] = r;
    // Dying while its module loads (process.exit at the top level, say) is a load failure.
    if (!a.loaded && !a.loadError) a.loadError = `kata ${spec.kataId}: ${path.basename(spec.impl)} stopped the test process while loading (it ${a.reason ?? "stopped"})`;
    if (a.loadError) {
      plan.forEach((c, i) => (results[i] ??= { ...c, score: 0, ok: false, message: a.loadError, ms: 0 }));
      return { cases: plan, results, loadError: a.loadError, output: output.text, ms: Date.now() - t0 };
    }
    if (a.done) break;
    // The worker stopped inside case `stuck` (or between cases): that case fails, go on after it.
    const stuck = a.running ?? results.findIndex((r, i) => i >= from && r === undefined);
    const at = stuck >= 0 ? stuck : plan.length;
    if (at >= plan.length) break;
    const c = plan[at]!;
    results[at] = { ...c, score: 0, ok: false, message: `your code ${a.reason ?? "stopped"} during this test`, ms: 0 };
    from = at + 1;
    if (from >= plan.length) break;
    if (o.kataTimeoutMs !== undefined && Date.now() - t0 > o.kataTimeoutMs) {
      const why = `not run: the kata's time limit (${Math.round(o.kataTimeoutMs / 1000)} s) was used up by tests that did not finish`;
      plan.forEach((p, i) => (results[i] ??= { ...p, score: 0, ok: false, message: why, ms: 0 }));
      break;
    }
  }
  plan.forEach((c, i) => (results[i] ??= { ...c, score: 0, ok: false, message: "not run", ms: 0 }));
  return { cases: plan, results, output: output.text, ms: Date.now() - t0 };
}
