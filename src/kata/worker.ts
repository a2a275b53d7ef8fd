/**
 * A kata worker: a child process that runs katas' suites, each on its implementation,
 * case by case, reporting each result to the parent (see protocol.ts). The parent
 * sends suites and implementations already compiled. Everything the worker needs to
 * report honestly is captured, and every suite loaded, before any implementation is;
 * the simulation's classes are frozen, so that code cannot rewrite them.
 *
 * Graded (confined) implementations get more: before the first is loaded, the Node
 * APIs leave the global object and the intrinsics are frozen (freeze.ts); the module
 * itself is compiled as a plain function whose only import is the simulation package,
 * so it holds no `require`, `module`, `process` or file descriptor. The parent runs
 * such a worker in the operating system's sandbox (sandbox.ts).
 */
import * as fs from "fs";
import * as path from "path";
import * as vm from "vm";
import { encodeEvent, cleanText, type WorkerEvent, type WorkerInput, type PlannedCase, type CompiledModule } from "./protocol";
import { loadTsModule, LoadError } from "./load";
import { runCase, setFrameMapper, atUserFrameMapped } from "./runner";
import type { KataSuite } from "./suite";
import { traceToText } from "../sched/format";
import { freezeSimulation, confineGlobals, lockdown } from "./freeze";
import { makeMembrane } from "./membrane";

// Taken now: confined, the worker's global object no longer has them.
const writeSync = fs.writeSync;
const gc = (globalThis as { gc?: () => void }).gc;
const memoryUsage = process.memoryUsage.bind(process);
const used = (): number => {
  const m = memoryUsage();
  // The resident size too: WebAssembly memory is in neither of the others.
  return Math.max(m.heapUsed + m.arrayBuffers, m.rss - (192 << 20));
};
/**
 * Between katas: collect when the previous kata left much memory behind (a full
 * collection costs tens of ms); false when it is still held (reachable from the
 * simulation's caches, say), and this worker should not run another kata.
 */
const recovered = (): boolean => {
  if (used() < 192 << 20) return true;
  gc?.();
  return used() < 128 << 20;
};
const Buf = Buffer;
const fromBase64 = (s: string): string => Buf.from(s, "base64").toString("utf8");
const EVENTS_FD = 3;
/** The package, for suites and implementations that import "tlbkata" (the same instance freezeSimulation freezes). */
const PACKAGE_INDEX = require.resolve("../index");
/** Where a confined implementation says it is (the grader's own paths are not its business). */
const SUBMISSION_DIR = "/submission";

// eslint-disable-next-line @typescript-eslint/no-require-imports
type NodeModule = { filename: string; paths: string[]; exports: unknown; _compile(code: string, file: string): void };
const Module = require("module") as {
  new (id: string, parent?: unknown): NodeModule;
  _nodeModulePaths(dir: string): string[];
  _extensions: Record<string, ((m: NodeModule, file: string) => void) | undefined>;
  _resolveFilename(request: string, ...rest: unknown[]): string;
  SourceMap: new (payload: unknown) => { findEntry(line: number, column: number): { originalLine?: number } };
};

/**
 * "tlbkata" is this package, wherever the worker runs, and relative imports of a suite
 * resolve to the compiled copies the parent sent: in the sandbox there is no
 * node_modules and no course folder to look in.
 */
function resolveHere(served: ReadonlyMap<string, CompiledModule>): void {
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request: string, ...rest: unknown[]) {
    if (request === "tlbkata") return PACKAGE_INDEX;
    const parent = rest[0] as { filename?: string } | undefined;
    if (request.startsWith(".") && parent?.filename) {
      const base = path.resolve(path.dirname(parent.filename), request);
      const hit = [base, `${base}.ts`, path.join(base, "index.ts")].find((c) => served.has(c));
      if (hit) return hit;
    }
    return resolve.call(this, request, ...rest);
  };
}

/** Compile a trusted module (a suite, a mutant, a solution) from code held in memory. */
function compileInMemory(m: CompiledModule): Record<string, unknown> {
  if (m.js === null) throw new LoadError(m.error ?? `${path.basename(m.path)} did not compile`);
  const mod = new Module(m.path);
  mod.filename = m.path;
  mod.paths = Module._nodeModulePaths(path.dirname(m.path));
  mod._compile(m.js, m.path);
  return mod.exports as Record<string, unknown>;
}

/** The learner's lines in stack traces, from the source map TypeScript put in the module. */
function lineMapper(js: string, file: string): (f: string, line: number, column: number) => number {
  const m = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(js);
  if (!m) return (_f, line) => line;
  let map: InstanceType<typeof Module.SourceMap> | null = null;
  try {
    map = new Module.SourceMap(JSON.parse(fromBase64(m[1]!)));
  } catch {
    map = null;
  }
  return (f, line, column) => {
    if (f !== file || !map) return line;
    const e = map.findEntry(line - 1, column - 1);
    return typeof e.originalLine === "number" ? e.originalLine + 1 : line;
  };
}

/**
 * A confined implementation: its code as a function of (exports, require, module,
 * __filename, __dirname) where require gives the simulation package, through the
 * membrane, and nothing else; its exports, as the simulation sees them.
 */
function compileConfined(m: CompiledModule, sim: Record<string, unknown>): Record<string, unknown> {
  type Class = abstract new (...a: never[]) => unknown;
  const internal = ["Sim", "Store", "SlotMap", "World", "Oracle", "FootprintBuffer", "ProgramRunner"].map((n) => sim[n]).filter((c): c is Class => typeof c === "function");
  const membrane = makeMembrane({ internal, stepAbort: sim.StepAbort as Class });
  const pkg = membrane.toLearner(sim);
  if (m.js === null) throw new LoadError(m.error ?? `${path.basename(m.path)} did not compile`);
  const file = path.posix.join(SUBMISSION_DIR, path.basename(m.path));
  setFrameMapper(lineMapper(m.js, file));
  const fn = vm.compileFunction(m.js, ["exports", "require", "module", "__filename", "__dirname"], { filename: file }) as (...a: unknown[]) => void;
  const exports: Record<string, unknown> = {};
  const module = { exports };
  const need = (id: unknown): unknown => {
    if (id === "tlbkata") return pkg;
    throw new LoadError(`${path.basename(m.path)} imports ${JSON.stringify(String(id)).slice(0, 80)}: while grading, a kata file may import only "tlbkata"`);
  };
  fn(exports, need, module, file, SUBMISSION_DIR);
  return membrane.toSimulation(module.exports) as Record<string, unknown>;
}

/** .ts files required at run time come from the parent's compiled copies when it sent them. */
function serveCompiled(byPath: Map<string, CompiledModule>): void {
  const fallback = Module._extensions[".ts"];
  Module._extensions[".ts"] = (m, file) => {
    const d = byPath.get(file);
    if (d?.js) return m._compile(d.js, file);
    if (d) throw new LoadError(d.error ?? `${path.basename(file)} did not compile`);
    if (fallback) return fallback(m, file);
    loadTsModule(file);
    m.exports = require(file);
  };
}

/** Forget the suites' modules, so code loaded later cannot reach them through require.cache. */
function forgetModules(paths: Iterable<string>): void {
  for (const p of paths) delete require.cache[p];
}

/** Confine what graded code can reach: keep what the worker needs, then empty and freeze the global world. */
function confine(): { exit: (code: number) => never } {
  const proc = process;
  const reallyExit = (proc as unknown as { reallyExit(code: number): void }).reallyExit.bind(proc);
  const exit = (code: number): never => (reallyExit(code), undefined) as never;
  const now = performance.now.bind(performance);
  const errWrite = (s: string): void => {
    try {
      writeSync(2, s);
    } catch {
      // A full or closed stderr: printing is not worth failing a test.
    }
  };
  confineGlobals(errWrite);
  // The simulation times its explorations with performance.now(): a clock, and nothing else.
  Object.defineProperty(globalThis, "performance", { value: Object.freeze({ now: () => now() }), writable: false, configurable: false, enumerable: false });
  lockdown();
  return { exit };
}

function main(): void {
  const input = JSON.parse(fs.readFileSync(0, "utf8")) as WorkerInput;
  const key = Buffer.from(input.key, "hex");
  const emit = (e: WorkerEvent): void => void writeSync(EVENTS_FD, encodeEvent(key, e));
  process.setSourceMapsEnabled(true);
  const served = new Map<string, CompiledModule>();
  for (const d of input.suiteDeps) served.set(d.path, d);
  resolveHere(served);
  serveCompiled(served);

  // Every unit's suites first, while only trusted code has run.
  const units = input.units.map((spec, u) =>
    spec.suites.map((file, i) => {
      const mod = compileInMemory(input.compiled[u]!.suites[i]!) as { default?: KataSuite<unknown> };
      if (!mod.default?.cases) throw new Error(`${file} has no default-exported suite`);
      return mod.default;
    }),
  );
  const plan: PlannedCase[][] = units.map((suites) => suites.flatMap((s) => s.cases.map((c) => ({ suite: s.title, name: c.name, points: c.points }))));
  emit({ t: "plan", units: plan });

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require(PACKAGE_INDEX) as Record<string, unknown>;
  let exit = (code: number): never => process.exit(code);
  // Confined: the global world emptied and frozen first (the simulation is not reachable from it), then the simulation.
  if (input.confine) exit = confine().exit;
  freezeSimulation();
  // The suites are loaded: their helpers are no longer served or reachable through require.cache.
  forgetModules(served.keys());
  served.clear();

  let i = 0;
  for (let u = 0; u < units.length; u++) {
    const spec = input.units[u]!;
    const count = plan[u]!.length;
    if (i + count <= input.from) {
      i += count;
      continue;
    }
    // What the previous kata's code allocated (and no longer reaches) is freed before this one starts.
    if (u > 0 && i > input.from && !recovered()) {
      emit({ t: "fresh", u });
      exit(0);
    }
    emit({ t: "loading", u });
    let impl: Record<string, unknown>;
    // The learner's module is evaluated afresh for every case: its own variables are
    // not simulated state, so nothing they hold may carry from one case to the next.
    const load = (): Record<string, unknown> => (input.confine ? compileConfined(input.compiled[u]!.impl, pkg) : compileInMemory(input.compiled[u]!.impl));
    try {
      if (!input.confine) for (const d of input.compiled[u]!.deps) served.set(d.path, d);
      impl = load();
      const missing = spec.exports.filter((x) => impl[x] === undefined);
      if (missing.length) throw new LoadError(`${path.basename(spec.impl)} does not export ${missing.map((m) => `\`${m}\``).join(", ")} (kata ${spec.kataId} needs ${spec.exports.join(", ")})`);
    } catch (e) {
      const msg = e instanceof LoadError ? e.message : `${path.basename(spec.impl)} could not be loaded: ${errorLine(e)}${atUserFrameMapped(e)}`;
      emit({ t: "load-error", u, message: cleanText(`kata ${spec.kataId}: ${msg}`) });
      i += count;
      continue;
    }
    emit({ t: "loaded", u });
    let used = false;
    for (const s of units[u]!) {
      for (let c = 0; c < s.cases.length; c++, i++) {
        if (i < input.from) continue;
        emit({ t: "start", i });
        if (used) {
          try {
            impl = load();
          } catch (e) {
            const message = cleanText(`${path.basename(spec.impl)} could not be loaded again for this test: ${errorLine(e)}`);
            emit({ t: "case", i, result: { suite: s.title, name: s.cases[c]!.name, points: s.cases[c]!.points, score: 0, ok: false, message, ms: 0 } });
            continue;
          }
        }
        used = true;
        const { trace, ...result } = runCase(s, c, impl);
        // Cut here too, so that a 4 MiB message does not travel (the parent cuts whatever arrives).
        const message = result.message === undefined ? undefined : cleanText(result.message);
        emit({ t: "case", i, result: { ...result, message }, trace: spec.traces && trace ? cleanText(traceToText(trace), 64_000) : undefined });
      }
    }
  }
  emit({ t: "done" });
  // Whatever the learner's code left behind (promises, timers in a trusted run) does not run.
  exit(0);
}

/** The first line of what was thrown, read without trusting it (a getter may throw). */
function errorLine(e: unknown): string {
  try {
    return e instanceof Error ? String(e.message).split("\n")[0]! : String(e);
  } catch {
    return "an exception that cannot be shown";
  }
}

main();
