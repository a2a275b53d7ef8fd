/**
 * The author's check of a kata (trusted code, so not sandboxed): the solution and its
 * variants pass every test, the starter fails every hidden test file, and every
 * mutant fails at least one hidden test; which test catches which mutant.
 */
import * as path from "path";
import type { KataInfo } from "../kata/catalog";
import { runKataJob, type JobResult } from "../kata/job";

export interface KataValidation {
  readonly kata: KataInfo;
  /** Problems found; empty when the kata is sound. */
  readonly problems: string[];
  readonly mutants: { readonly name: string; readonly why: string; readonly caughtBy: readonly string[] }[];
}

const job = (kata: KataInfo, impl: string, suites: readonly string[]): Promise<JobResult> =>
  runKataJob({ impl, kataId: kata.id, exports: kata.exports, suites, traces: false }, { caseTimeoutMs: 60_000, cwd: kata.dir });

export async function validateKata(kata: KataInfo, whyOf: (file: string) => string): Promise<KataValidation> {
  const problems: string[] = [];
  const all = [...(kata.visible ? [kata.visible] : []), ...kata.hidden];
  if (!kata.solution) problems.push("no reference solution in solutions/");
  if (!kata.hidden.length) problems.push("no hidden tests");
  for (const impl of kata.solution ? [kata.solution, ...kata.variants] : []) {
    const r = await job(kata, impl, all);
    const failed = r.results.filter((x) => !x.ok);
    if (r.loadError) problems.push(`${path.basename(impl)} does not load: ${r.loadError}`);
    for (const f of failed) problems.push(`${path.basename(impl)} fails "${f.suite} / ${f.name}": ${f.message}`);
  }
  for (const h of kata.hidden) {
    const r = await job(kata, kata.file, [h]);
    if (r.results.every((x) => x.ok)) problems.push(`the starter passes every test of hidden/${path.basename(h)}`);
  }
  const mutants = [];
  for (const m of kata.mutants) {
    const r = await job(kata, m, kata.hidden);
    const caughtBy = r.loadError ? [`(does not load: ${r.loadError})`] : r.results.filter((x) => !x.ok).map((x) => `${x.suite} / ${x.name}`);
    if (!caughtBy.length) problems.push(`mutant ${path.basename(m)} survives every hidden test`);
    mutants.push({ name: path.basename(m, ".ts"), why: whyOf(m), caughtBy });
  }
  return { kata, problems, mutants };
}
