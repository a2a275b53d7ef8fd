/**
 * Run suites against one implementation and collect per-case results. A case that
 * throws something other than a KataFailure (the learner's code crashed) fails with
 * the exception and the line it came from; the other cases still run.
 */
import { KataFailure, type KataSuite } from "./suite";
import type { Trace } from "../sched/model";
import { atUserFrame } from "../sim/where";

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

export function crashMessage(e: unknown): string {
  const name = e instanceof Error ? e.name : "exception";
  const msg = e instanceof Error ? e.message : String(e);
  return `your code threw ${name}: ${msg}${atUserFrame(e)}`;
}

export function runCase<I>(suite: KataSuite<I>, index: number, impl: I): CaseResult {
  const c = suite.cases[index]!;
  const t0 = performance.now();
  try {
    c.run(impl);
    return { suite: suite.title, name: c.name, points: c.points, score: c.points, ok: true, ms: performance.now() - t0 };
  } catch (e) {
    const ms = performance.now() - t0;
    // By name too: a suite that reached the package by another path has its own KataFailure class.
    if (e instanceof KataFailure || (e instanceof Error && e.name === "KataFailure")) {
      const f = e as KataFailure;
      return { suite: suite.title, name: c.name, points: c.points, score: 0, ok: false, message: f.message, rule: f.rule, ms, trace: f.trace };
    }
    return { suite: suite.title, name: c.name, points: c.points, score: 0, ok: false, message: crashMessage(e), ms };
  }
}

export function runSuite<I>(suite: KataSuite<I>, impl: I): CaseResult[] {
  return suite.cases.map((_, i) => runCase(suite, i, impl));
}

/** Every case of `suite` failed with the same reason (the module could not be used at all). */
export function failAll<I>(suite: KataSuite<I>, message: string): CaseResult[] {
  return suite.cases.map((c) => ({ suite: suite.title, name: c.name, points: c.points, score: 0, ok: false, message, ms: 0 }));
}
