/**
 * The kata pattern, shared by every kata's checks: load an implementation (the
 * starter, the solution, a variant, a mutant, a learner's file) and run suites on it.
 * Loading never throws: a file that does not load fails every case with the reason.
 */
import * as path from "path";
import { runSuite, runCase, failAll, missingExports, citeReadmeRule, type CaseResult, type KataInfo, type KataSuite } from "tlbkata";

export const ROOT = path.resolve(__dirname, "../..");

export type Impl = Record<string, unknown>;
export type Loaded = { readonly ok: true; readonly impl: Impl } | { readonly ok: false; readonly message: string };

/** "file.ts:12" from the first location in an error text that names a .ts file. */
function locationIn(text: string): string {
  const m = /([\w.-]+\.ts):(\d+)(?::\d+)?/.exec(text);
  return m ? ` (${m[1]}:${m[2]})` : "";
}

export async function loadImpl(kata: KataInfo, file: string): Promise<Loaded> {
  let mod: Impl;
  try {
    mod = (await import(file)) as Impl;
  } catch (e) {
    const text = e instanceof Error ? `${e.message}\n${e.stack ?? ""}` : String(e);
    const first = (e instanceof Error ? e.message : String(e)).split("\n").find((l) => l.trim() && !/^Transform failed/.test(l)) ?? "error";
    return { ok: false, message: `kata ${kata.id}: ${path.basename(file)} could not be loaded: ${first.trim()}${locationIn(text)}` };
  }
  const missing = missingExports(kata, mod);
  if (missing) return { ok: false, message: `kata ${kata.id}: ${missing}` };
  return { ok: true, impl: mod };
}

export async function loadSuite(file: string): Promise<KataSuite<Impl>> {
  const mod = (await import(file)) as { default?: KataSuite<Impl> };
  if (!mod.default?.cases) throw new Error(`${file} has no default-exported suite`);
  return mod.default;
}

export function runOn(suite: KataSuite<Impl>, loaded: Loaded): CaseResult[] {
  return loaded.ok ? runSuite(suite, loaded.impl) : failAll(suite, loaded.message);
}

export interface LoadedKata {
  readonly kata: KataInfo;
  readonly visible: KataSuite<Impl> | null;
  readonly hidden: ReadonlyArray<{ readonly file: string; readonly suite: KataSuite<Impl> }>;
}

export async function loadKata(kata: KataInfo): Promise<LoadedKata> {
  return {
    kata,
    visible: kata.visible ? await loadSuite(kata.visible) : null,
    hidden: await Promise.all(kata.hidden.map(async (file) => ({ file, suite: await loadSuite(file) }))),
  };
}

/** Every hidden case, run on one implementation, with the feedback the grader gives (README rules cited). */
export function runHidden(k: LoadedKata, loaded: Loaded): CaseResult[] {
  return k.hidden.flatMap((h) => runOn(h.suite, loaded)).map((r) => citeReadmeRule(r, k.kata.readmeRules));
}

let instance = 0;

/**
 * Every visible and hidden case on `file`, the module evaluated afresh for each case as
 * the grader's worker does (a query string makes the import a new module instance), so
 * that a module variable, such as a static once-flag, starts over with every case.
 */
export async function runFresh(k: LoadedKata, file: string): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  const suites = [...(k.visible ? [{ suite: k.visible, hidden: false }] : []), ...k.hidden.map((h) => ({ suite: h.suite, hidden: true }))];
  for (const { suite, hidden } of suites) {
    for (let c = 0; c < suite.cases.length; c++) {
      const loaded = await loadImpl(k.kata, `${file}?instance=${++instance}`);
      const r = loaded.ok ? runCase(suite, c, loaded.impl) : failAll({ ...suite, cases: [suite.cases[c]!] }, loaded.message)[0]!;
      out.push(hidden ? citeReadmeRule(r, k.kata.readmeRules) : r);
    }
  }
  return out;
}

export const failures = (rs: readonly CaseResult[]): string[] => rs.filter((r) => !r.ok).map((r) => `${r.suite} / ${r.name}: ${r.message}`);
