/**
 * A kata worker: a child process that loads one implementation and runs suites on
 * it, case by case, reporting each result to the parent (see protocol.ts). Everything
 * it needs to report honestly is captured before the learner's code is loaded, and
 * the simulation's classes are frozen, so that code cannot rewrite them.
 */
import * as fs from "fs";
import { encodeEvent, type WorkerEvent, type WorkerSpec, type PlannedCase } from "./protocol";
import { loadTsModule, LoadError } from "./load";
import { runCase } from "./runner";
import type { KataSuite } from "./suite";
import { traceToText } from "../sched/format";
import { freezeSimulation } from "./freeze";

const writeSync = fs.writeSync;
const EVENTS_FD = 3;

function readStdin(): Buffer {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(4096);
  for (;;) {
    let n = 0;
    try {
      n = fs.readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EAGAIN") continue;
      if ((e as NodeJS.ErrnoException).code === "EOF") break;
      throw e;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}

function main(): void {
  const input = JSON.parse(readStdin().toString("utf8")) as { key: string; spec: WorkerSpec };
  const key = Buffer.from(input.key, "hex");
  const spec = input.spec;
  const emit = (e: WorkerEvent): void => void writeSync(EVENTS_FD, encodeEvent(key, e));

  const suites: KataSuite<unknown>[] = [];
  for (const file of spec.suites) {
    const mod = loadTsModule(file) as { default?: KataSuite<unknown> };
    if (!mod.default?.cases) throw new Error(`${file} has no default-exported suite`);
    suites.push(mod.default);
  }
  const plan: PlannedCase[] = suites.flatMap((s) => s.cases.map((c) => ({ suite: s.title, name: c.name, points: c.points })));
  emit({ t: "plan", cases: plan });

  freezeSimulation();
  let impl: Record<string, unknown>;
  try {
    impl = loadTsModule(spec.impl);
    const missing = spec.exports.filter((x) => impl[x] === undefined);
    if (missing.length) throw new LoadError(`${spec.impl.split("/").pop()} does not export ${missing.map((m) => `\`${m}\``).join(", ")} (kata ${spec.kataId} needs ${spec.exports.join(", ")})`);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    emit({ t: "load-error", message: `kata ${spec.kataId}: ${msg}` });
    emit({ t: "done" });
    return;
  }

  let i = 0;
  for (const s of suites) {
    for (let c = 0; c < s.cases.length; c++, i++) {
      if (i < spec.from) continue;
      emit({ t: "start", i });
      const { trace, ...result } = runCase(s, c, impl);
      emit({ t: "case", i, result, trace: spec.traces && trace ? traceToText(trace) : undefined });
    }
  }
  emit({ t: "done" });
}

main();
