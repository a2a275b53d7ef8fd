/**
 * A spy for notifier callbacks: a callback calls spyRecord() and the record lands in
 * the trace, inside the step that made it, with the context (atomic or not) and the
 * locks its caller held. spyTable() reads the records back out of a trace.
 */
import type { Kernel } from "../kernel/kernel";
import type { Trace } from "../sched/model";
import { htmlTable, code, type Cell } from "./html";

const MARK = "spy | ";

/** Record a callback: who (the subscriber), what (the call), in which context, under which locks. */
export function spyRecord(k: Kernel, who: string, what: string): void {
  const held = k.locks.heldBy(k.sim.owner).map((l) => l.name);
  const ctx = k.sim.inAtomic() ? "atomic" : "may sleep";
  k.sim.log(() => `${MARK}${who} | ${what} | ${ctx} | ${held.join(", ") || "-"}`);
}

export interface SpyRecord {
  readonly step: number;
  /** The label of the kernel step that made the call. */
  readonly label: string;
  readonly who: string;
  readonly what: string;
  readonly context: string;
  readonly locks: string;
}

/** The spy's records in a trace, in order. */
export function spyRecords(trace: Trace): SpyRecord[] {
  const out: SpyRecord[] = [];
  for (const s of trace.steps) {
    for (const e of s.events) {
      if (!e.startsWith(MARK)) continue;
      const [who = "", what = "", context = "", locks = ""] = e.slice(MARK.length).split(" | ");
      out.push({ step: s.index, label: s.label, who, what, context, locks });
    }
  }
  return out;
}

/** The spy's records as a table: step, kernel step, subscriber, callback, context, locks held. */
export function spyTable(trace: Trace, opts: { readonly caption?: string } = {}): string {
  const rows: Cell[][] = spyRecords(trace).map((r) => [r.step, r.label, r.who, code(r.what), r.context, r.locks]);
  return htmlTable(["step", "kernel step", "subscriber", "callback", "context", "locks held"], rows, opts);
}
