/**
 * The author's check of a kata (trusted code, so not sandboxed): the solution and its
 * variants pass every test; the untouched starter earns no point; every hand-written
 * mutant fails at least one hidden test, and every hidden test fails on some mutant
 * (a test no mutant fails may be a test that cannot fail); which test catches which
 * mutant.
 */
import * as path from "path";
import { kataWorkerSpec, type KataInfo } from "../kata/catalog";
import { runKataJob, type JobResult } from "../kata/job";

export interface KataValidation {
  readonly kata: KataInfo;
  /** Problems found; empty when the kata is sound. */
  readonly problems: string[];
  readonly mutants: { readonly name: string; readonly why: string; readonly caughtBy: readonly string[]; readonly loads: boolean }[];
  /** Every hidden test, as "suite / name". */
  readonly hiddenTests: readonly string[];
  /** Hidden tests that no hand-written mutant fails. */
  readonly failedByNoMutant: readonly string[];
  /** Points the untouched starter earns in the hidden tests, of `maxPoints`. */
  readonly starterPoints: number;
  readonly maxPoints: number;
}

const job = (kata: KataInfo, impl: string, suites: readonly string[]): Promise<JobResult> =>
  runKataJob(kataWorkerSpec(kata, impl, suites), { caseTimeoutMs: 60_000, cwd: kata.dir });

const id = (c: { readonly suite: string; readonly name: string }): string => `${c.suite} / ${c.name}`;

export async function validateKata(kata: KataInfo, whyOf: (file: string) => string): Promise<KataValidation> {
  const problems: string[] = [];
  const all = [...(kata.visible ? [kata.visible] : []), ...kata.hidden];
  if (!kata.solution) problems.push("no reference solution in solutions/");
  if (!kata.hidden.length) problems.push("no hidden tests");
  if (!kata.mutants.length) problems.push("no hand-written mutants in mutants/");
  for (const impl of kata.solution ? [kata.solution, ...kata.variants] : []) {
    const r = await job(kata, impl, all);
    const failed = r.results.filter((x) => !x.ok);
    if (r.loadError) problems.push(`${path.basename(impl)} does not load: ${r.loadError}`);
    for (const f of failed) problems.push(`${path.basename(impl)} fails "${id(f)}": ${f.message}`);
  }

  const starter = await job(kata, kata.file, kata.hidden);
  if (starter.loadError) problems.push(`the starter ${path.basename(kata.file)} does not load: ${starter.loadError}`);
  const hiddenTests = starter.cases.map(id);
  const maxPoints = starter.cases.reduce((n, c) => n + c.points, 0);
  const starterPoints = starter.results.reduce((n, r) => n + (r.ok ? r.score : 0), 0);
  for (const r of starter.results.filter((x) => x.ok)) problems.push(`the untouched starter passes "${id(r)}" (${r.score} point${r.score === 1 ? "" : "s"}): make the starter throw "not implemented" there, or the test require real work`);

  const mutants = [];
  const failedSomewhere = new Set<string>();
  for (const m of kata.mutants) {
    const r = await job(kata, m, kata.hidden);
    const failed = r.loadError ? [] : r.results.filter((x) => !x.ok).map(id);
    for (const f of failed) failedSomewhere.add(f);
    if (r.loadError) problems.push(`mutant ${path.basename(m)} does not load, so it tests nothing: ${r.loadError}`);
    else if (!failed.length) problems.push(`mutant ${path.basename(m)} survives every hidden test`);
    mutants.push({ name: path.basename(m, ".ts"), why: whyOf(m), caughtBy: failed, loads: !r.loadError });
  }
  const failedByNoMutant = kata.mutants.length ? hiddenTests.filter((t) => !failedSomewhere.has(t)) : [];
  for (const t of failedByNoMutant) problems.push(`no mutant fails "${t}": add a mutant that breaks its rule, or the test may be one that cannot fail`);
  return { kata, problems, mutants, hiddenTests, failedByNoMutant, starterPoints, maxPoints };
}

/** The per-kata figures, one line each. */
export function validationSummary(v: KataValidation): string[] {
  const caught = v.mutants.filter((m) => m.caughtBy.length > 0).length;
  return [
    `hand-written mutants caught: ${caught} of ${v.mutants.length}`,
    `hidden tests no mutant fails: ${v.failedByNoMutant.length} of ${v.hiddenTests.length}${v.failedByNoMutant.length ? ` (${v.failedByNoMutant.join("; ")})` : ""}`,
    `points the untouched starter earns: ${v.starterPoints} of ${v.maxPoints}`,
  ];
}
