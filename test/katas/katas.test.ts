/**
 * Every kata, checked the way an author must: the reference solution (and variants
 * written differently) pass every visible and hidden test; the starter fails every
 * hidden test file; every mutant fails at least one hidden test; and every hidden test
 * fails on the starter or on some mutant (a test that cannot fail is a defect). The table of which
 * hidden test catches which mutant is printed and written to test-artifacts/katas.md.
 */
import { describe, test, expect, afterAll } from "vitest";
import * as fs from "fs";
import * as path from "path";
import { listKatas } from "tlbkata";
import { ROOT, loadKata, loadImpl, runOn, runHidden, failures } from "./harness";

const katas = await Promise.all(listKatas(ROOT).map(loadKata));
const caught = new Map<string, { kata: string; mutant: string; why: string; by: string[] }>();

test("there are katas to check", () => {
  expect(katas.length).toBeGreaterThan(0);
});

for (const k of katas) {
  const { kata } = k;
  describe(kata.id, () => {
    /** Hidden cases ("suite / name") that failed on the starter or on a mutant so far. */
    const failedSomewhere = new Set<string>();
    const note = (rs: readonly { ok: boolean; suite: string; name: string }[]) => {
      for (const r of rs) if (!r.ok) failedSomewhere.add(`${r.suite} / ${r.name}`);
    };

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
        const loaded = await loadImpl(kata, file);
        const rs = [...(k.visible ? runOn(k.visible, loaded) : []), ...runHidden(k, loaded)];
        expect(failures(rs)).toEqual([]);
      });
    }

    test("the starter fails the visible tests", async () => {
      const rs = runOn(k.visible!, await loadImpl(kata, kata.file));
      expect(rs.some((r) => !r.ok)).toBe(true);
    });

    for (const h of k.hidden) {
      test(`the starter fails hidden/${path.basename(h.file)}`, async () => {
        const rs = runOn(h.suite, await loadImpl(kata, kata.file));
        note(rs);
        expect(rs.filter((r) => !r.ok).length).toBeGreaterThan(0);
      });
    }

    for (const m of kata.mutants) {
      const name = path.basename(m, ".ts");
      test(`mutant ${name} is caught by a hidden test`, async () => {
        const why = (fs.readFileSync(m, "utf8").split("\n").find((l) => l.startsWith("//")) ?? "").replace(/^\/\/\s*/, "");
        expect(why, `${m} must start with a comment line saying what is wrong`).toMatch(/^Wrong: /);
        const rs = runHidden(k, await loadImpl(kata, m));
        note(rs);
        const by = rs.filter((r) => !r.ok).map((r) => `${r.suite} / ${r.name}`);
        caught.set(`${kata.id}/${name}`, { kata: kata.id, mutant: name, why, by });
        expect(by.length, `mutant ${name} (${why}) survived every hidden test`).toBeGreaterThan(0);
      });
    }

    // Runs after the starter and mutant tests above (a file's tests run in order).
    test("every hidden test fails on the starter or on some mutant", () => {
      const all = k.hidden.flatMap((h) => h.suite.cases.map((c) => `${h.suite.title} / ${c.name}`));
      expect(all.filter((c) => !failedSomewhere.has(c))).toEqual([]);
    });
  });
}

afterAll(() => {
  if (!caught.size) return;
  const lines = ["# Which hidden tests catch which mutant", "", "| kata | mutant | what is wrong | caught by |", "| --- | --- | --- | --- |"];
  for (const c of caught.values()) {
    const by = c.by.length ? c.by.slice(0, 3).join("<br>") + (c.by.length > 3 ? `<br>(+${c.by.length - 3} more)` : "") : "**SURVIVED**";
    lines.push(`| ${c.kata} | ${c.mutant} | ${c.why.replace(/^Wrong: /, "")} | ${by} |`);
  }
  const out = path.join(ROOT, "test-artifacts", "katas.md");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, lines.join("\n") + "\n");
  console.log(["mutants and the hidden tests that catch them (also in test-artifacts/katas.md):", ...[...caught.values()].map((c) => `  ${c.kata} ${c.mutant.padEnd(22)} <- ${c.by[0] ?? "SURVIVED"}${c.by.length > 1 ? ` (+${c.by.length - 1})` : ""}`)].join("\n"));
});
