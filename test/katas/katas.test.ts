/**
 * Every kata, checked the way an author must: the reference solution (and variants
 * written differently) pass every visible and hidden test; the untouched starter
 * scores 0 in every hidden test; every mutant fails at least one hidden test, and a
 * test that says what it grades fails it under no other rule; and every hidden test
 * fails on some mutant (a test that cannot fail is a defect). The table of which
 * hidden test catches which mutant is docs/MUTANTS.md, checked here to be up to date.
 */
import { describe, test, expect } from "vitest";
import * as fs from "fs";
import * as path from "path";
import { listKatas, RULES_ALWAYS_GRADED, type RuleId } from "tlbkata";
import { ROOT, loadKata, loadImpl, runOn, runHidden, runFresh, failures } from "./harness";
import { mutantTable, MUTANTS_DOC, type KataRun } from "./mutant-table";
import { hiddenSource, feedbackProblems, givesAwayPage } from "./feedback-audit";

const katas = await Promise.all(listKatas(ROOT).map(loadKata));
/** Per kata, each mutant's failed hidden tests, filled in as the mutant tests run. */
const runs = new Map<string, { name: string; why: string; failed: string[] }[]>();

test("there are katas to check", () => {
  expect(katas.length).toBeGreaterThan(0);
});

for (const k of katas) {
  const { kata } = k;
  const cases = k.hidden.flatMap((h) => h.suite.cases.map((c) => ({ id: `${h.suite.title} / ${c.name}`, c })));
  const caseById = new Map(cases.map((x) => [x.id, x.c]));
  runs.set(kata.id, []);
  const hidden = hiddenSource(kata);
  /** The page kata 03's diagnosis asks for (the reference's answer), which its feedback must not give. */
  const answer = kata.solution && kata.exports.includes("diagnosis") ? ((await import(kata.solution)) as { diagnosis?: { page?: string } }).diagnosis?.page : undefined;
  describe(kata.id, () => {
    /** Hidden cases ("suite / name") that failed on a mutant so far. */
    const failedSomewhere = new Set<string>();

    test("has a README, hints, visible and hidden tests, mutants and a solution", () => {
      expect(fs.existsSync(path.join(kata.dir, "README.md"))).toBe(true);
      expect(kata.hints.length).toBeGreaterThanOrEqual(2);
      expect(k.visible?.cases.length ?? 0).toBeGreaterThan(0);
      expect(kata.hidden.length).toBeGreaterThan(0);
      expect(kata.mutants.length).toBeGreaterThanOrEqual(3);
      expect(kata.solution).not.toBeNull();
    });

    for (const file of [kata.solution!, ...kata.variants]) {
      test(`${path.relative(ROOT, file)} passes every visible and hidden test`, async () => {
        // Evaluated afresh for every case, as the grader does (a static once-flag starts over).
        const rs = await runFresh(k, file);
        expect(failures(rs)).toEqual([]);
      });
    }

    test("the starter fails the visible tests", async () => {
      const rs = runOn(k.visible!, await loadImpl(kata, kata.file));
      expect(rs.some((r) => !r.ok)).toBe(true);
    });

    test("the untouched starter scores 0: it passes no hidden test", async () => {
      const rs = runHidden(k, await loadImpl(kata, kata.file));
      expect(rs.filter((r) => r.ok).map((r) => `${r.suite} / ${r.name} (${r.points} points)`)).toEqual([]);
    });

    for (const m of kata.mutants) {
      const name = path.basename(m, ".ts");
      test(`mutant ${name} is caught by a hidden test, under a rule the test grades`, async () => {
        const why = (fs.readFileSync(m, "utf8").split("\n").find((l) => l.startsWith("//")) ?? "").replace(/^\/\/\s*/, "");
        expect(why, `${m} must start with a comment line saying what is wrong`).toMatch(/^Wrong: /);
        const rs = runHidden(k, await loadImpl(kata, m));
        const failed = rs.filter((r) => !r.ok);
        for (const r of failed) failedSomewhere.add(`${r.suite} / ${r.name}`);
        runs.get(kata.id)!.push({ name, why: why.replace(/^Wrong: /, ""), failed: failed.map((r) => `${r.suite} / ${r.name}`) });
        expect(failed.length, `mutant ${name} (${why}) survived every hidden test`).toBeGreaterThan(0);
        // The feedback as the grader shows it: no hidden file, line or code; exit's path named at exit.
        const own = { file: path.basename(m), source: fs.readFileSync(m, "utf8") };
        expect(failed.flatMap((r) => feedbackProblems(kata, hidden, own, { ...r, message: r.message ?? "" })), `the feedback on mutant ${name}`).toEqual([]);
        if (answer) expect(failed.filter((r) => givesAwayPage(answer, { ...r, message: r.message ?? "" })).map((r) => `${r.suite} / ${r.name}: ${r.message}`), `kata ${kata.id}'s diagnosis feedback names the page to find`).toEqual([]);
        const elsewhere = failed.filter((r) => {
          const grades = caseById.get(`${r.suite} / ${r.name}`)?.grades;
          return grades && r.rule !== undefined && !grades.includes(r.rule as RuleId) && !RULES_ALWAYS_GRADED.includes(r.rule as RuleId);
        });
        expect(elsewhere.map((r) => `${r.suite} / ${r.name} failed under [${r.rule}], a rule it does not grade`)).toEqual([]);
      });
    }

    // Runs after the mutant tests above (a file's tests run in order).
    test("every hidden test fails on some mutant", () => {
      expect(cases.map((x) => x.id).filter((id) => !failedSomewhere.has(id))).toEqual([]);
    });
  });
}

// Runs last: every kata's mutants have been run above.
test(`${MUTANTS_DOC} is the table of which hidden test catches which mutant`, () => {
  const all: KataRun[] = katas.map((k) => ({
    kata: k.kata.id,
    tests: k.hidden.flatMap((h) => h.suite.cases.map((c) => ({ id: `${h.suite.title} / ${c.name}`, points: c.points, grades: c.grades }))),
    mutants: runs.get(k.kata.id)!,
  }));
  expect(all.reduce((n, r) => n + r.mutants.length, 0), "every mutant test must run first").toBe(katas.reduce((n, k) => n + k.kata.mutants.length, 0));
  const want = mutantTable(all);
  const file = path.join(ROOT, MUTANTS_DOC);
  if (process.env.UPDATE_DOCS) fs.writeFileSync(file, want);
  expect(fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "", `${MUTANTS_DOC} is out of date: UPDATE_DOCS=1 npx vitest run test/katas/katas.test.ts`).toBe(want);
});
