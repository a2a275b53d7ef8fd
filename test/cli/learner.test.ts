// The learner's loop (`list`, `check`, `hint`, `reset`, `watch`, `solution`) end to
// end, on a copy of kata 05 in a scratch course folder, through the BUILT cli as a
// learner runs it.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const CLI = path.join(ROOT, "src/dist/cli/main.js");
const KATA = "05-amd-iommu-v2";
// Inside the repo so that `tlbkata` resolves from node_modules; test-artifacts/ is ignored by git.
const COURSE = path.join(ROOT, "test-artifacts", `learner-course-${process.pid}`);
const FILE = path.join(COURSE, "katas", KATA, "amd_iommu_v2.ts");
const SOLUTION = fs.readFileSync(path.join(ROOT, "solutions", KATA, "amd_iommu_v2.ts"), "utf8");
const STARTER = fs.readFileSync(path.join(ROOT, "katas", KATA, "amd_iommu_v2.ts"), "utf8");

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, TLBKATA_ROOT: COURSE, TLBKATA_CASE_TIMEOUT_MS: "3000", ...extra };
  delete e.TLBKATA_DEBUG;
  return e;
}

function tlbkata(...args: string[]) {
  return tlbkataEnv({}, ...args);
}

function tlbkataEnv(extra: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: COURSE, encoding: "utf8", env: env(extra), timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeEach(() => {
  fs.rmSync(COURSE, { recursive: true, force: true });
  fs.mkdirSync(path.join(COURSE, "katas"), { recursive: true });
  fs.cpSync(path.join(ROOT, "katas", KATA), path.join(COURSE, "katas", KATA), { recursive: true });
  // A release keeps pristine starters here for `reset` (this scratch folder is not a git checkout).
  const saved = path.join(COURSE, ".tlbkata", "starters", "katas", KATA, "amd_iommu_v2.ts");
  fs.mkdirSync(path.dirname(saved), { recursive: true });
  fs.writeFileSync(saved, STARTER);
});

afterAll(() => fs.rmSync(COURSE, { recursive: true, force: true }));

describe("check and list", () => {
  it("the starter fails with the rule, the scenario and the address; the solution passes; list follows", () => {
    let r = tlbkata("list");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${KATA} +not started +- +0/3 +AMD IOMMU v2`, "m"));

    r = tlbkata("check", "05");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/✗ reclaim, run straight/);
    expect(r.stdout).toMatch(/\[stale-tlb-after-ptl-release\] on the reclaim scenario at 0x40000000/);
    expect(r.stdout).toMatch(/0\/5 points: visible tests fail/);
    expect(tlbkata("list").stdout).toMatch(new RegExp(`^${KATA} +visible tests fail +0/5`, "m"));

    fs.writeFileSync(FILE, SOLUTION.replace(/from "tlbkata"/g, 'from "tlbkata"'));
    expect(tlbkata("list").stdout).toMatch(new RegExp(`^${KATA} +edited, not checked`, "m"));
    r = tlbkata("check", KATA);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/5\/5 points: visible tests pass/);
    // What the visible tests leave out, from kata.json, and how to run the rest.
    expect(r.stdout).toMatch(/The visible tests pass\. They do not check the other kernel paths/);
    expect(r.stdout).toMatch(/`tlbkata check 05-amd-iommu-v2 --full` runs the hidden tests too/);
    // Half a fix, then the whole: each check says what changed since the last.
    expect(r.stdout).toMatch(/Since your last check:\n  now passing \(5\):/);
    expect(tlbkata("list").stdout).toMatch(new RegExp(`^${KATA} +visible tests pass +5/5`, "m"));
  });

  it("--trace shows the steps that led to a failure; --ktap prints KTAP", () => {
    const t = tlbkata("check", "05", "--trace");
    expect(t.stdout).toMatch(/\| .*kswapd/);
    const k = tlbkata("check", "05", "--ktap");
    expect(k.status).toBe(1);
    expect(k.stdout.split("\n").slice(0, 2)).toEqual(["KTAP version 1", "1..1"]);
    expect(k.stdout).toMatch(/^ {4}not ok 1 reclaim/m);
    expect(k.stdout).toMatch(/^not ok 1 05-amd-iommu-v2$/m);
  });

  it("a type error is named with its line beside the results (types do not decide a test)", () => {
    const withTypeError = SOLUTION.replace("  const pasid_state = container_of<pasid_state>(mn);\n  const dev_state = pasid_state.device_state;\n  const s = ULONG(start);", "  const label: string = start;\n  void label;\n  const pasid_state = container_of<pasid_state>(mn);\n  const dev_state = pasid_state.device_state;\n  const s = ULONG(start);");
    expect(withTypeError).not.toBe(SOLUTION);
    fs.writeFileSync(FILE, withTypeError);
    const r = tlbkata("check", "05");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/5\/5 points: visible tests pass/);
    expect(r.stdout).toMatch(/TypeScript finds type errors[^\n]*\n\s+amd_iommu_v2\.ts:\d+:\d+: Type 'number' is not assignable to type 'string'\./);
  });

  it("a syntax error: the kata, file and line, and no stack trace; the file is left as written", () => {
    const broken = STARTER.replace("function mn_release(mn: mmu_notifier, mm: mm_struct): void {", "function mn_release(mn: mmu_notifier, mm: mm_struct: void {");
    fs.writeFileSync(FILE, broken);
    const r = tlbkata("check", "05");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/kata 05-amd-iommu-v2: amd_iommu_v2\.ts:\d+:\d+: .* expected/);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readFileSync(FILE, "utf8")).toBe(broken);
  });

  it("an infinite loop loses that test only, after the time limit", () => {
    fs.writeFileSync(FILE, SOLUTION.replace("const pasid_state = container_of<pasid_state>(mn);\n  const dev_state = pasid_state.device_state;\n  const s = ULONG(start);", "for (;;) {}\n  const pasid_state = container_of<pasid_state>(mn);\n  const dev_state = pasid_state.device_state;\n  const s = ULONG(start);"));
    // A limit well above what a test takes even on a loaded machine.
    const r = tlbkataEnv({ TLBKATA_CASE_TIMEOUT_MS: "8000" }, "check", "05");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/✗ reclaim.*\n\s+your code took longer than 8 s during this test/);
    // exit never calls invalidate_secondary_tlbs (release does the work): that test still runs and passes.
    expect(r.stdout).toMatch(/✓ exit, run straight/);
    expect(r.stdout).toMatch(/1\/5 points/);
  });

  it("a deleted file or an unknown kata: one line, exit 2", () => {
    fs.rmSync(FILE);
    let r = tlbkata("check", "05");
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`tlbkata: kata ${KATA}: katas/${KATA}/amd_iommu_v2.ts is missing; \`tlbkata reset ${KATA}\` restores the starter\n`);
    r = tlbkata("check", "amd");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tlbkata: unknown kata 'amd'.*\n$/);
    expect(tlbkata("list").stdout).toMatch(new RegExp(`^${KATA} +missing file`, "m"));
  });
});

describe("the hidden tests, the course order, the solution", () => {
  it("--full runs the hidden tests where they are; a release without them says so in one line", () => {
    fs.writeFileSync(FILE, SOLUTION);
    let r = tlbkata("check", "05", "--full");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/5\/5 points: visible tests pass/);
    expect(r.stdout).toMatch(/amd_iommu_v2\.ts\): hidden tests\n/);
    expect(r.stdout).toMatch(/(\d+)\/\1 points: hidden tests pass/);
    expect(tlbkata("list").stdout).toMatch(new RegExp(`^${KATA} +all tests pass +5/5`, "m"));

    fs.rmSync(path.join(COURSE, "katas", KATA, "hidden"), { recursive: true });
    r = tlbkata("check", "05", "--full");
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/hidden tests pass/);
    expect(r.stdout.split("\n").filter((l) => /--full/.test(l))).toEqual([`  --full: the hidden tests of ${KATA} are not in this release (no katas/${KATA}/hidden); only the visible tests ran.`]);
  });

  it("check NN takes the notebook's first kata, in course order, whose visible tests do not pass, and says which", () => {
    for (const id of ["04-range-end", "04-clear-flush-notify"]) fs.cpSync(path.join(ROOT, "katas", id), path.join(COURSE, "katas", id), { recursive: true });
    // Course order, not the alphabet: range-end comes before clear-flush-notify.
    fs.writeFileSync(path.join(COURSE, "katas", "course.json"), JSON.stringify({ order: ["04-range-end", "04-clear-flush-notify", KATA] }));
    expect(tlbkata("list").stdout.split("\n").slice(1, 4).map((l) => l.split(" ")[0])).toEqual(["04-range-end", "04-clear-flush-notify", KATA]);
    let r = tlbkata("check", "04");
    expect(r.stdout).toMatch(/^Notebook 04 has 2 katas, in order: 04-range-end, 04-clear-flush-notify\. 04-range-end is the first whose visible tests do not pass yet\.\n/);
    expect(r.stdout).toMatch(/^04-range-end {2}/m);
    fs.copyFileSync(path.join(ROOT, "solutions", "04-range-end", "mmu_notifier.ts"), path.join(COURSE, "katas", "04-range-end", "mmu_notifier.ts"));
    expect(tlbkata("check", "04-range-end").status).toBe(0);
    r = tlbkata("check", "04");
    expect(r.stdout).toMatch(/04-clear-flush-notify is the first whose visible tests do not pass yet/);
    expect(r.stdout).toMatch(/^04-clear-flush-notify {2}/m);
    // A command that must not guess asks for a name.
    r = tlbkata("reset", "04");
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("tlbkata: notebook 04 has 2 katas (04-range-end, 04-clear-flush-notify): name one\n");
  });

  it("solution: refused before the visible tests pass, shown after; a release without solutions says so", () => {
    const sol = path.join(COURSE, "solutions", KATA, "amd_iommu_v2.ts");
    fs.mkdirSync(path.dirname(sol), { recursive: true });
    fs.writeFileSync(sol, SOLUTION);
    let r = tlbkata("solution", "05");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^Checking 05-amd-iommu-v2 first/);
    expect(r.stdout).toMatch(/your file does not pass its visible tests yet \(0\/5 points\).*The solution stays hidden until then\.\n$/);
    expect(r.stdout).not.toContain(SOLUTION.slice(0, 200));

    fs.writeFileSync(FILE, SOLUTION.replace(/^/, "// mine\n"));
    r = tlbkata("solution", "05");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Your file passes the visible tests of 05-amd-iommu-v2 \(5\/5\); the hidden tests were not run\./);
    expect(r.stdout).toContain(SOLUTION.trimEnd());

    fs.rmSync(path.join(COURSE, "solutions"), { recursive: true });
    r = tlbkata("solution", "05");
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("tlbkata: solutions are not part of this release (this copy of the course has no solutions/ folder): your instructor has them\n");
  });
});

describe("hint and reset", () => {
  it("hints come one at a time and are remembered", () => {
    expect(tlbkata("hint", "05").stdout).toMatch(/^Hint 1 of 3/);
    expect(tlbkata("hint", "05").stdout).toMatch(/^Hint 2 of 3/);
    expect(tlbkata("hint", "05").stdout).toMatch(/^Hint 3 of 3/);
    expect(tlbkata("hint", "05").stdout).toMatch(/That was the last hint/);
    const again = tlbkata("hint", "05", "--again").stdout;
    expect(again.match(/^Hint \d of 3/gm)).toEqual(["Hint 1 of 3", "Hint 2 of 3", "Hint 3 of 3"]);
    expect(tlbkata("list").stdout).toMatch(new RegExp(`^${KATA} .* 3/3 +AMD`, "m"));
  });

  it("reset restores the starter and keeps the learner's version as a backup", () => {
    fs.writeFileSync(FILE, "// my work\n" + SOLUTION);
    const r = tlbkata("reset", "05");
    expect(r.status).toBe(0);
    expect(fs.readFileSync(FILE, "utf8")).toBe(STARTER);
    const dir = path.join(COURSE, ".tlbkata", "backups", KATA);
    const backups = fs.readdirSync(dir);
    expect(backups).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, backups[0]!), "utf8")).toBe("// my work\n" + SOLUTION);
    expect(tlbkata("reset", "05").stdout).toMatch(/already the starter/);
  });
});

describe("watch", () => {
  it("re-checks on save without a restart, and moves on when the kata passes", async () => {
    const child = spawn(process.execPath, [CLI, "watch", "05"], { cwd: COURSE, env: env() });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const until = async (re: RegExp, ms = 60_000) => {
      const t0 = Date.now();
      while (!re.test(out)) {
        if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${re}; output so far:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      await until(/0\/5 points: visible tests fail[\s\S]*Watching/);
      fs.writeFileSync(FILE, SOLUTION);
      await until(/5\/5 points: visible tests pass/);
      await until(/The visible tests of 05-amd-iommu-v2 pass, and so do those of every kata after it/);
    } finally {
      child.kill("SIGINT");
    }
    expect(out.match(/checking 05-amd-iommu-v2/g)?.length).toBe(2);
  }, 120_000);
});
