/**
 * Run suites against one implementation and collect per-case results. A case that
 * throws something other than a KataFailure (the learner's code crashed) fails with
 * the exception and the line it came from; the other cases still run.
 */
import { KataFailure, type KataSuite } from "./suite";
import { RULE_KIND, type RuleId } from "../oracle/violation";
import type { Trace } from "../sched/model";
import * as path from "path";
import { userFrame } from "../sim/where";

export interface CaseResult {
  readonly suite: string;
  readonly name: string;
  readonly points: number;
  /** Points earned: all or nothing per case, so partial credit is per case. */
  readonly score: number;
  readonly ok: boolean;
  /** Why it failed, in kernel words. */
  readonly message?: string;
  readonly rule?: string;
  readonly ms: number;
  /** The counterexample behind a failure, when there is one (not serialised). */
  readonly trace?: Trace;
}

/** Turns a line of compiled JavaScript into the learner's TypeScript line (set by a worker that compiled the module itself). */
let mapLine: (file: string, line: number, column: number) => number = (_f, line) => line;

export function setFrameMapper(f: typeof mapLine): void {
  mapLine = f;
}

/** " (at file.ts:LINE)" for the learner's frame of `e`, or "": never throws, whatever `e` is. */
export function atUserFrameMapped(e: unknown): string {
  try {
    const f = userFrame(e);
    return f ? ` (at ${path.basename(f.file)}:${mapLine(f.file, f.line, f.column)})` : "";
  } catch {
    return "";
  }
}

/**
 * The rule a kernel check broke when a case's own set-up (not a scheduled run) stopped
 * on it: a StepAbort, told by its violation (a suite may have its own copy of the class).
 */
function abortedRule(e: unknown): { rule: RuleId; message: string } | null {
  const v = e instanceof Error ? (e as { violation?: { rule?: unknown; message?: unknown } }).violation : undefined;
  if (!v || typeof v.rule !== "string" || !(v.rule in RULE_KIND) || typeof v.message !== "string") return null;
  return { rule: v.rule as RuleId, message: v.message };
}

export function crashMessage(e: unknown): string {
  try {
    const name = e instanceof Error ? String(e.name) : "exception";
    const msg = e instanceof Error ? String(e.message) : String(e);
    return `your code threw ${name}: ${msg}${atUserFrameMapped(e)}`;
  } catch {
    return "your code threw an exception that cannot be shown";
  }
}

/** The clock, taken before any learner code runs. */
const now = performance.now.bind(performance);

export function runCase<I>(suite: KataSuite<I>, index: number, impl: I): CaseResult {
  const c = suite.cases[index]!;
  const t0 = now();
  try {
    c.run(impl);
    return { suite: suite.title, name: c.name, points: c.points, score: c.points, ok: true, ms: now() - t0 };
  } catch (e) {
    const ms = now() - t0;
    // By name too: a suite that reached the package by another path has its own KataFailure class.
    if (e instanceof KataFailure || (e instanceof Error && e.name === "KataFailure")) {
      // Read as data: a learner's code may throw something that only looks like a KataFailure.
      const f = e as KataFailure;
      const rule = typeof f.rule === "string" ? f.rule : undefined;
      return { suite: suite.title, name: c.name, points: c.points, score: 0, ok: false, message: String(f.message), rule, ms, trace: e instanceof KataFailure ? f.trace : undefined };
    }
    const aborted = abortedRule(e);
    if (aborted) return { suite: suite.title, name: c.name, points: c.points, score: 0, ok: false, message: `[${aborted.rule}] ${aborted.message}${atUserFrameMapped(e)}`, rule: aborted.rule, ms };
    return { suite: suite.title, name: c.name, points: c.points, score: 0, ok: false, message: crashMessage(e), ms };
  }
}

/** A failure under a rule the kata's README forbids, with that README rule named (once). */
export function citeReadmeRule<R extends CaseResult>(r: R, readmeRules: Readonly<Record<string, string>> | undefined): R {
  const cite = !r.ok && r.rule ? readmeRules?.[r.rule] : undefined;
  if (!cite || (r.message ?? "").includes("README.md")) return r;
  return { ...r, message: `${r.message ?? "failed"}\nThe kata's README forbids this: README.md, ${cite}.` };
}

export function runSuite<I>(suite: KataSuite<I>, impl: I): CaseResult[] {
  return suite.cases.map((_, i) => runCase(suite, i, impl));
}

/** Every case of `suite` failed with the same reason (the module could not be used at all). */
export function failAll<I>(suite: KataSuite<I>, message: string): CaseResult[] {
  return suite.cases.map((c) => ({ suite: suite.title, name: c.name, points: c.points, score: 0, ok: false, message, ms: 0 }));
}
