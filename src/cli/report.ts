/** How kata results are shown: a learner's text report, and KTAP (the kernel's test output format). */
import * as path from "path";
import type { KataInfo } from "../kata/catalog";
import type { JobResult } from "../kata/job";
import { feedbackHash, type CaseOutcome } from "../kata/progress";

const indent = (text: string, pad: string): string =>
  text
    .split("\n")
    .map((l) => pad + l)
    .join("\n");

export function points(r: JobResult): { score: number; max: number; passed: boolean } {
  const score = r.results.reduce((n, x) => n + x.score, 0);
  const max = r.cases.reduce((n, c) => n + c.points, 0);
  return { score, max, passed: r.results.every((x) => x.ok) };
}

/** Each test's name, outcome and feedback hash: what progress keeps to tell the next check what changed. */
export function outcomes(r: JobResult): CaseOutcome[] {
  if (r.loadError) return [{ name: "(loading your file)", ok: false, feedback: feedbackHash(r.loadError) }];
  return r.results.map((x) => (x.ok ? { name: x.name, ok: true } : { name: x.name, ok: false, feedback: feedbackHash(x.message ?? "") }));
}

/**
 * What changed since the previous check of another version of the file: tests that
 * now pass or now fail, and failures whose feedback changed (half a fix shows there).
 */
export function changeSince(before: readonly CaseOutcome[] | undefined, now: readonly CaseOutcome[]): string[] {
  if (!before) return [];
  const old = new Map(before.map((c) => [c.name, c]));
  const fixed: string[] = [];
  const broke: string[] = [];
  const moved: string[] = [];
  for (const c of now) {
    // A test the last check did not run (the file did not load then, or does not now) counts as failed there.
    const o = old.get(c.name) ?? { name: c.name, ok: false };
    if (c.ok && !o.ok) fixed.push(c.name);
    else if (!c.ok && o.ok) broke.push(c.name);
    else if (!c.ok && !o.ok && c.feedback !== o.feedback) moved.push(c.name);
  }
  const list = (xs: string[]) => xs.map((x) => `    ${x}`);
  if (!fixed.length && !broke.length && !moved.length) return ["  Since your last check: the same tests pass and fail, with the same feedback."];
  return [
    "  Since your last check:",
    ...(fixed.length ? [`  now passing (${fixed.length}):`, ...list(fixed)] : []),
    ...(broke.length ? [`  now failing (${broke.length}):`, ...list(broke)] : []),
    ...(moved.length ? [`  still failing, with different feedback (${moved.length}):`, ...list(moved)] : []),
  ];
}

export interface TextReportOptions {
  readonly traces: boolean;
  readonly color: boolean;
  readonly typeErrors?: readonly string[];
  /** Which tests these are, for the summary line: "visible" (default) or "hidden". */
  readonly which?: "visible" | "hidden";
  /** Lines saying what changed since the last check (changeSince). */
  readonly changes?: readonly string[];
}

export function textReport(kata: KataInfo, r: JobResult, o: TextReportOptions): string {
  const green = (s: string) => (o.color ? `\x1b[32m${s}\x1b[0m` : s);
  const red = (s: string) => (o.color ? `\x1b[31m${s}\x1b[0m` : s);
  const which = o.which ?? "visible";
  const lines = [`${kata.id}  ${kata.title}  (${path.relative(process.cwd(), kata.file) || kata.file})${which === "hidden" ? ": hidden tests" : ""}`];
  if (r.loadError) {
    lines.push(red(`  ✗ ${r.loadError}`));
  } else {
    r.results.forEach((x) => {
      lines.push(`  ${x.ok ? green("✓") : red("✗")} ${x.name}  (${x.score}/${x.points})`);
      if (!x.ok && x.message) lines.push(indent(x.message, "      "));
      if (!x.ok && o.traces && x.traceText) lines.push(indent(x.traceText, "      | "));
    });
  }
  const p = points(r);
  lines.push(`  ${p.score}/${p.max} points: ${p.passed ? green(`${which} tests pass`) : red(`${which} tests fail`)}`);
  if (o.changes?.length) lines.push(...o.changes);
  if (o.typeErrors?.length) lines.push("  TypeScript finds type errors (they may explain a failure):", ...o.typeErrors.map((t) => `    ${t}`));
  if (r.output.trim()) lines.push(`  your code printed (first lines):`, indent(r.output.trim().split("\n").slice(0, 5).join("\n"), "    > "));
  return lines.join("\n");
}

/** KTAP: one subtest per kata, one test line per case, failures explained in diagnostic lines. */
export function ktapReport(runs: readonly { kata: KataInfo; result: JobResult; typeErrors?: readonly string[] }[]): string {
  const out = ["KTAP version 1", `1..${runs.length}`];
  runs.forEach(({ kata, result, typeErrors }, k) => {
    out.push("    KTAP version 1", `    # Subtest: ${kata.id}`, `    1..${result.cases.length}`);
    for (const t of typeErrors ?? []) out.push(`    # type error: ${t}`);
    result.results.forEach((x, i) => {
      if (!x.ok) for (const l of (x.message ?? "failed").split("\n")) out.push(`    # ${l}`);
      out.push(`    ${x.ok ? "ok" : "not ok"} ${i + 1} ${x.name.replace(/#/g, "")}`);
    });
    const p = points(result);
    out.push(`# ${kata.id}: ${p.score}/${p.max} points`);
    out.push(`${p.passed ? "ok" : "not ok"} ${k + 1} ${kata.id}`);
  });
  return out.join("\n");
}
