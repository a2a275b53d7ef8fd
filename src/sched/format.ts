/** Presenting traces: plain text for terminals, JSON for --json, mermaid for docs. */
import type { Violation } from "../oracle/violation";
import type { Trace, TraceStep } from "./model";
import type { Counterexample } from "./types";

// ---------------------------------------------------------------- text

function violationLine(v: Violation): string {
  return `!! ${v.rule} (${v.kind}): ${v.message}`;
}

/**
 * Numbered steps, agent name, label; the step's events indented under it; the
 * violation, if any, last:
 *
 *    12 dev0  dma read 0x2000 -> pfn 0x42
 *             iotlb hit
 *   !! use-after-free (corruption): ...
 */
/** A step's events, cut in the middle when a step logs more than a reader can use (a flood of commands). */
export const MAX_STEP_EVENTS = 40;

export function shownEvents(events: readonly string[], max = MAX_STEP_EVENTS): string[] {
  if (events.length <= max) return events.slice();
  const head = Math.ceil(max * 0.75);
  const tail = max - head;
  return [...events.slice(0, head), `... ${events.length - max} more events in this step ...`, ...events.slice(events.length - tail)];
}

export function traceToText(trace: Trace): string {
  const steps = trace.steps;
  let iw = 1;
  let nw = 1;
  for (const s of steps) {
    iw = Math.max(iw, String(s.index).length);
    nw = Math.max(nw, s.agentName.length);
  }
  const indent = " ".repeat(iw + 1 + nw + 2);
  const out: string[] = [];
  for (const s of steps) {
    out.push(`${String(s.index).padStart(iw)} ${s.agentName.padEnd(nw)}  ${s.label}`);
    for (const e of shownEvents(s.events)) for (const line of e.split("\n")) out.push(indent + line);
  }
  if (trace.violation) out.push(violationLine(trace.violation));
  return out.join("\n");
}

// ---------------------------------------------------------------- JSON

export interface TraceStepJSON {
  index: number;
  agent: number;
  agentName: string;
  label: string;
  events: string[];
}

export interface ViolationJSON {
  rule: string;
  kind: string;
  message: string;
  address?: number;
  pfn?: number;
}

export interface CounterexampleJSON extends ViolationJSON {
  schedule: number[];
  trace: TraceStepJSON[];
}

export function violationToJSON(v: Violation): ViolationJSON {
  const o: ViolationJSON = { rule: v.rule, kind: v.kind, message: v.message };
  if (v.address !== undefined) o.address = v.address;
  if (v.pfn !== undefined) o.pfn = v.pfn;
  return o;
}

export function stepToJSON(s: TraceStep): TraceStepJSON {
  return { index: s.index, agent: s.agent, agentName: s.agentName, label: s.label, events: shownEvents(s.events) };
}

/** `{rule, kind, message, schedule, trace}`: one entry of a `violations` list. */
export function counterexampleToJSON(c: Counterexample): CounterexampleJSON {
  return { ...violationToJSON(c.violation), schedule: c.schedule.slice(), trace: c.trace.steps.map(stepToJSON) };
}

/**
 * A search result (explore or runRandom) as `{violations: [...], states?, ms, ...}`:
 * the counterexample becomes a list so several searches can be merged.
 */
export function resultToJSON(r: { readonly violation?: Counterexample; readonly ms: number }): Record<string, unknown> & {
  violations: CounterexampleJSON[];
  ms: number;
} {
  const { violation, ...numbers } = r;
  return { violations: violation ? [counterexampleToJSON(violation)] : [], ...numbers };
}

// ---------------------------------------------------------------- mermaid

export interface MermaidOptions {
  /** Names of all agents, by agent number. Default: the names the trace's steps give. */
  readonly agentNames?: readonly string[];
  /**
   * Draw a lifeline for every agent of `agentNames`, idle ones too (default false: only
   * the agents that take a step, so that idle lifelines do not shrink the diagram).
   */
  readonly allAgents?: boolean;
  /** Longest participant name, in characters, before truncation; step labels wrap at this width (default 60). */
  readonly maxLabel?: number;
  /** Width of a note line (events, the violation report), in characters: longer lines wrap at spaces (default 60). */
  readonly wrap?: number;
  /** Show step events as notes (default true). */
  readonly events?: boolean;
}

/**
 * One line of text mermaid will accept: `#` and `;` end a statement in mermaid, so
 * they become entity codes; `<`/`>` would be read as HTML. Truncates first so an
 * entity is never cut in half.
 */
export function mermaidEscape(text: string, max = 60): string {
  let t = text.replace(/\s+/g, " ").trim();
  if (t.length > max) t = t.slice(0, Math.max(1, max - 1)) + "…";
  return t.replace(/[#;<>]/g, (ch) => (ch === "#" ? "#35;" : ch === ";" ? "#59;" : ch === "<" ? "#lt;" : "#gt;"));
}

/**
 * `text` broken into lines of at most `width` characters, at spaces where there are
 * any; a newline in `text` starts a new line. Nothing is dropped: a word longer than a
 * line is split into pieces, better than a note as wide as the word.
 */
export function wrapText(text: string, width: number): string[] {
  if (!(width >= 1)) throw new Error(`wrapText: width must be at least 1, not ${width}`);
  const out: string[] = [];
  for (const para of text.split("\n")) {
    let line = "";
    for (const word of para.split(/\s+/).filter(Boolean)) {
      for (let w = word; w.length > 0; w = w.slice(width)) {
        const piece = w.slice(0, width);
        if (!line) line = piece;
        else if (line.length + 1 + piece.length <= width) line += " " + piece;
        else {
          out.push(line);
          line = piece;
        }
      }
    }
    out.push(line);
  }
  return out;
}

/**
 * Several lines for a note, wrapped at `width`, each escaped, joined by mermaid's line
 * break: the break is added after escaping, so escaping never touches it.
 */
function mermaidLines(lines: readonly string[], width: number): string {
  const out: string[] = [];
  for (const l of lines) for (const part of wrapText(l, width)) out.push(mermaidEscape(part, Infinity));
  return out.join("<br/>");
}

/**
 * A mermaid sequenceDiagram: one participant per agent that acts, each step a
 * self-message numbered as in the text trace, its events a note beside it, the
 * violation a note over every lifeline on a red background.
 */
export function traceToMermaid(trace: Trace, opts: MermaidOptions = {}): string {
  const max = opts.maxLabel ?? 60;
  const wrap = opts.wrap ?? 60;
  const names: string[] = [];
  for (const s of trace.steps) names[s.agent] ??= opts.agentNames?.[s.agent] ?? s.agentName;
  if (opts.allAgents && opts.agentNames) opts.agentNames.forEach((n, a) => (names[a] ??= n));
  const ids: number[] = [];
  for (let a = 0; a < names.length; a++) if (names[a] !== undefined) ids.push(a);
  const out = ["sequenceDiagram"];
  for (const a of ids) out.push(`  participant A${a} as ${mermaidEscape(names[a]!, max)}`);
  for (const s of trace.steps) {
    out.push(`  A${s.agent}->>A${s.agent}: ${mermaidLines([`${s.index} ${s.label}`], max)}`);
    if ((opts.events ?? true) && s.events.length > 0) {
      out.push(`  Note right of A${s.agent}: ${mermaidLines(shownEvents(s.events, 12), wrap)}`);
    }
  }
  const v = trace.violation;
  if (v && ids.length > 0) {
    const over = ids.length === 1 ? `A${ids[0]}` : `A${ids[0]},A${ids[ids.length - 1]}`;
    out.push("  rect rgb(255, 210, 210)");
    out.push(`  Note over ${over}: ✗ ${mermaidLines([v.rule], wrap)}<br/>${mermaidLines([v.message], wrap)}`);
    out.push("  end");
  }
  return out.join("\n");
}
