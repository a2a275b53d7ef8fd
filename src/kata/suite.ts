/**
 * How katas are graded: a suite is a list of cases, each worth points, each run
 * against a learner's module (or the reference solution, or a mutant). A case passes
 * by returning and fails by throwing a KataFailure whose message says what broke in
 * kernel words. Suites never read the learner's source text: only behaviour counts.
 */
import type { RuleId } from "../oracle/violation";
import type { Trace } from "../sched/model";

export interface KataCase<I> {
  readonly name: string;
  readonly points: number;
  /**
   * The rules this case grades, when it says (ScenarioOptions.grades scopes its runs to
   * them): the kata checks fail a mutant caught here under any other rule.
   */
  readonly grades?: readonly RuleId[];
  run(impl: I): void;
}

export interface KataSuite<I> {
  /** Short name shown in reports, such as "coherence". */
  readonly title: string;
  readonly cases: readonly KataCase<I>[];
}

export function defineSuite<I>(title: string, cases: readonly KataCase<I>[]): KataSuite<I> {
  const seen = new Set<string>();
  for (const c of cases) {
    if (seen.has(c.name)) throw new Error(`suite ${title}: case "${c.name}" is defined twice`);
    if (!(c.points > 0)) throw new Error(`suite ${title}: case "${c.name}" must be worth some points`);
    seen.add(c.name);
  }
  return { title, cases };
}

/** A graded failure: what the learner sees, with the rule and the trace that led to it. */
export class KataFailure extends Error {
  constructor(
    message: string,
    readonly rule?: RuleId,
    readonly trace?: Trace,
  ) {
    super(message);
    this.name = "KataFailure";
  }
}

/** Fail the running case unless `cond` holds. */
export function require_(cond: boolean, message: string, rule?: RuleId): asserts cond {
  if (!cond) throw new KataFailure(message, rule);
}
