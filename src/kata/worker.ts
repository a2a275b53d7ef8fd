/**
 * A kata worker: a child process that runs katas' suites, each on its implementation,
 * case by case, reporting each result to the parent (see protocol.ts). The parent
 * sends suites and implementations already compiled. Everything the worker needs to
 * report honestly is captured, and every suite loaded, before any implementation is;
 * the simulation's classes are frozen, so that code cannot rewrite them.
 *
 * Sandboxed (grading), the worker runs under Node's permission model: it can read
 * only the simulation package and node_modules, and write nothing.
 */
import * as fs from "fs";
import * as path from "path";
import { encodeEvent, type WorkerEvent, type WorkerInput, type PlannedCase, type CompiledModule } from "./protocol";
import { loadTsModule, LoadError } from "./load";
import { runCase } from "./runner";
import type { KataSuite } from "./suite";
import { traceToText } from "../sched/format";
import { freezeSimulation } from "./freeze";
import { atUserFrame } from "../sim/where";

const writeSync = fs.writeSync;
const EVENTS_FD = 3;

// eslint-disable-next-line @typescript-eslint/no-require-imports
type NodeModule = { filename: string; paths: string[]; exports: unknown; _compile(code: string, file: string): void };
const Module = require("module") as {
  new (id: string, parent?: unknown): NodeModule;
  _nodeModulePaths(dir: string): string[];
  _extensions: Record<string, ((m: NodeModule, file: string) => void) | undefined>;
};

/** Compile a module from code held in memory; sandboxed, packages resolve only from `nodeModules`. */
function compileInMemory(m: CompiledModule, nodeModules: string | null): Record<string, unknown> {
  if (m.js === null) throw new LoadError(m.error ?? `${path.basename(m.path)} did not compile`);
  const mod = new Module(m.path);
  mod.filename = m.path;
  mod.paths = nodeModules ? [nodeModules] : Module._nodeModulePaths(path.dirname(m.path));
  mod._compile(m.js, m.path);
  return mod.exports as Record<string, unknown>;
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

/** Untrusted code may not signal other processes (the grader) or load native code. */
function lockProcess(): void {
  const refuse = (what: string) => () => {
    throw new Error(`${what} is not allowed while grading`);
  };
  for (const [name, what] of [["kill", "process.kill"], ["_kill", "process.kill"], ["dlopen", "loading native code"], ["binding", "process.binding"], ["_linkedBinding", "process.binding"]] as const) {
    Object.defineProperty(process, name, { value: refuse(what), writable: false, configurable: false });
  }
}

function main(): void {
  const input = JSON.parse(fs.readFileSync(0, "utf8")) as WorkerInput;
  const key = Buffer.from(input.key, "hex");
  const emit = (e: WorkerEvent): void => void writeSync(EVENTS_FD, encodeEvent(key, e));
  process.setSourceMapsEnabled(true);
  const served = new Map<string, CompiledModule>();
  for (const d of input.suiteDeps) served.set(d.path, d);
  serveCompiled(served);

  // Every unit's suites first, while only trusted code has run.
  const units = input.units.map((spec, u) =>
    spec.suites.map((file, i) => {
      const mod = compileInMemory(input.compiled[u]!.suites[i]!, input.nodeModules) as { default?: KataSuite<unknown> };
      if (!mod.default?.cases) throw new Error(`${file} has no default-exported suite`);
      return mod.default;
    }),
  );
  const plan: PlannedCase[][] = units.map((suites) => suites.flatMap((s) => s.cases.map((c) => ({ suite: s.title, name: c.name, points: c.points }))));
  emit({ t: "plan", units: plan });

  freezeSimulation();
  // The suites are loaded: their helpers are no longer served or reachable through require.cache.
  forgetModules(served.keys());
  served.clear();
  if (input.nodeModules) lockProcess();

  let i = 0;
  for (let u = 0; u < units.length; u++) {
    const spec = input.units[u]!;
    const count = plan[u]!.length;
    if (i + count <= input.from) {
      i += count;
      continue;
    }
    emit({ t: "loading", u });
    let impl: Record<string, unknown>;
    try {
      for (const d of input.compiled[u]!.deps) served.set(d.path, d);
      impl = compileInMemory(input.compiled[u]!.impl, input.nodeModules);
      const missing = spec.exports.filter((x) => impl[x] === undefined);
      if (missing.length) throw new LoadError(`${path.basename(spec.impl)} does not export ${missing.map((m) => `\`${m}\``).join(", ")} (kata ${spec.kataId} needs ${spec.exports.join(", ")})`);
    } catch (e) {
      const msg = e instanceof LoadError ? e.message : `${path.basename(spec.impl)} could not be loaded: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}${atUserFrame(e)}`;
      emit({ t: "load-error", u, message: `kata ${spec.kataId}: ${msg}` });
      i += count;
      continue;
    }
    emit({ t: "loaded", u });
    for (const s of units[u]!) {
      for (let c = 0; c < s.cases.length; c++, i++) {
        if (i < input.from) continue;
        emit({ t: "start", i });
        const { trace, ...result } = runCase(s, c, impl);
        emit({ t: "case", i, result, trace: spec.traces && trace ? traceToText(trace) : undefined });
      }
    }
  }
  emit({ t: "done" });
}

main();
