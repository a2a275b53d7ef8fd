/**
 * `tlbkata validate`: per kata, the mutants caught, the hidden tests no mutant fails,
 * the points an untouched starter earns; problems named; bad input is one line.
 */
import { describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "node:child_process";
import { findKata } from "tlbkata";
import { validateKata, validationSummary } from "../../src/grader/validate";

const ROOT = path.resolve(__dirname, "../..");
const CLI = path.join(ROOT, "src/bin/tlbkata.js");
const kata = findKata(ROOT, "04-call-sites")!;
const whyOf = (f: string) => path.basename(f);

describe("validateKata", () => {
  it("a sound kata: every mutant caught, every hidden test failed by some mutant, the starter earns 0", async () => {
    const v = await validateKata(kata, whyOf);
    expect(v.problems).toEqual([]);
    expect(v.starterPoints).toBe(0);
    expect(v.maxPoints).toBeGreaterThan(0);
    expect(v.failedByNoMutant).toEqual([]);
    expect(v.mutants.every((m) => m.caughtBy.length > 0)).toBe(true);
    expect(validationSummary(v)).toEqual([
      `hand-written mutants caught: ${kata.mutants.length} of ${kata.mutants.length}`,
      `hidden tests no mutant fails: 0 of ${v.hiddenTests.length}`,
      `points the untouched starter earns: 0 of ${v.maxPoints}`,
    ]);
  }, 120_000);

  it("names a starter that scores, a mutant that survives, and the hidden tests no mutant fails", async () => {
    // A starter that notifies everywhere earns the points of the sites that must notify;
    // the reference solution as the only "mutant" survives every test.
    const scoring = path.join(kata.dir, "mutants", "notify-everywhere.ts");
    const v = await validateKata({ ...kata, file: scoring, mutants: [kata.solution!], variants: [] }, whyOf);
    expect(v.starterPoints).toBeGreaterThan(0);
    expect(v.problems.some((p) => /^the untouched starter passes "coherence \/ reclaim-swap: .*" \(2 points\)/.test(p))).toBe(true);
    expect(v.problems).toContain("mutant call_sites.ts survives every hidden test");
    expect(v.failedByNoMutant).toEqual(v.hiddenTests);
    expect(validationSummary(v)[0]).toBe("hand-written mutants caught: 0 of 1");
  }, 120_000);
});

describe("tlbkata validate: bad input is one line, exit 2", () => {
  const run = (env: Record<string, string>, ...args: string[]) =>
    spawnSync(process.execPath, [CLI, "validate", ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 60_000 });

  it("an unknown kata", () => {
    const r = run({}, "99-nope");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tlbkata: unknown kata '99-nope'; valid katas: 02-notifier-core, [^\n]*\n$/);
  });

  it("a course folder without katas, and a kata.json that is not JSON", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tlbkata-validate-"));
    try {
      const empty = run({ TLBKATA_ROOT: dir });
      expect(empty.status).toBe(2);
      expect(empty.stderr).toBe(`tlbkata: no katas in ${path.join(dir, "katas")}: nothing to validate\n`);
      fs.mkdirSync(path.join(dir, "katas", "99-bad"), { recursive: true });
      fs.writeFileSync(path.join(dir, "katas", "99-bad", "kata.json"), "{");
      const bad = run({ TLBKATA_ROOT: dir });
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/^tlbkata: katas\/99-bad\/kata\.json is not valid JSON: [^\n]*\n$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("two katas", () => {
    const r = run({}, "04-call-sites", "05");
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("tlbkata: validate takes at most one KATA\n");
  });
});
