/**
 * Trace diagrams that stay readable at notebook width. Mermaid scales a sequence
 * diagram down to the cell's width, so every lifeline and every long note line makes
 * all the text smaller. readableTrace() keeps only the agents that act (the trace's own
 * steps name them) and breaks long event lines and the violation report at word
 * boundaries, so that nothing is cut and notes stay narrow; traceDiagram() draws it.
 */
import type { Trace, TraceStep } from "../sched/model";
import { traceToSvg } from "./mermaid";

/** Default width of a note line, in characters. */
export const NOTE_WIDTH = 40;

/** `text` broken into lines of at most `width` characters, at spaces where there are any. */
export function wrapText(text: string, width = NOTE_WIDTH): string[] {
  const out: string[] = [];
  for (const para of text.split("\n")) {
    let line = "";
    for (const word of para.split(/\s+/).filter(Boolean)) {
      // A word longer than a line is cut into pieces: better than a note as wide as the word.
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

/** The same trace with long event lines and the violation report broken into short lines. */
export function readableTrace(trace: Trace, width = NOTE_WIDTH): Trace {
  const steps: TraceStep[] = trace.steps.map((s) => ({ ...s, events: s.events.map((e) => wrapText(e, width).join("\n")) }));
  const v = trace.violation;
  return v ? { steps, violation: { ...v, message: wrapText(v.message, width).join("\n") } } : { steps };
}

/**
 * A trace as an SVG sequence diagram: only the agents that take a step get a lifeline,
 * notes and the violation report wrap at `width` characters instead of being cut.
 */
export function traceDiagram(trace: Trace, opts: { readonly width?: number; readonly svgId?: string } = {}): Promise<string> {
  const width = opts.width ?? NOTE_WIDTH;
  // No agentNames: the format then draws a lifeline for each agent that appears in a step.
  return traceToSvg(readableTrace(trace, width), { maxLabel: Math.max(width, 64), ...(opts.svgId ? { svgId: opts.svgId } : {}) });
}
