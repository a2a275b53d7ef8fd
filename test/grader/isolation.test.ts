// How grading isolates, seen from the instructor's side: it refuses to run untrusted code
// where the machine cannot sandbox it (unless told the code is trusted), it works with
// the weaker "user" isolation where namespaces are refused, a test killed from outside
// is never cached as a verdict, and grade-class reports what it does not grade.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findKata } from "tlbkata";
import { gradeSubmission } from "../../src/grader/index";
import { needSandbox, sandboxProblem as problem } from "./support";

const ROOT = path.resolve(__dirname, "../..");
const CLI = path.join(ROOT, "src/dist/cli/main.js");
const FIXTURES = path.join(__dirname, "fixtures");
const amd = findKata(ROOT, "05")!;
const tmp = (p: string) => fs.mkdtempSync(path.join(os.tmpdir(), `tlbkata-${p}-`));
const isRoot = process.getuid?.() === 0;

function tlbkata(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 600_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function submission(text: string): string {
  const d = tmp("sub");
  fs.writeFileSync(path.join(d, path.basename(amd.file)), text);
  return d;
}

describe("where the machine cannot sandbox", () => {
  it("grade refuses, in one line that says how to proceed (exit 2); --trusted grades anyway", () => {
    // A PATH with prlimit but no bwrap.
    const bin = tmp("bin");
    const prlimit = spawnSync("sh", ["-c", "command -v prlimit"], { encoding: "utf8" }).stdout.trim();
    if (prlimit) fs.symlinkSync(prlimit, path.join(bin, "prlimit"));
    const classRoot = tmp("class");
    const dir = path.join(classRoot, "alice");
    fs.mkdirSync(dir);
    fs.copyFileSync(amd.solution!, path.join(dir, path.basename(amd.file)));
    let r = tlbkata(["grade", dir, "--kata", "05"], { PATH: bin });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot isolate untrusted submissions here: (bubblewrap \(bwrap\) is not installed|prlimit \(util-linux\) is not installed); .*--trusted for code you trust/);
    r = tlbkata(["grade-class", classRoot, "--out", path.join(tmp("out"), "o"), "--kata", "05"], { PATH: bin });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot isolate untrusted submissions here/);
    r = tlbkata(["grade", dir, "--kata", "05", "--trusted", "--format", "json"], { PATH: bin });
    expect(r.status, r.stderr).toBe(0);
    const g = JSON.parse(r.stdout) as { score: number; max: number };
    expect(g.score).toBe(g.max);
    for (const bad of [["--isolation", "vm"], ["--isolation", "user", "--trusted"]]) {
      r = tlbkata(["grade", dir, "--kata", "05", ...bad]);
      expect(r.status, bad.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
  }, 300_000);
});

describe("isolation by an unprivileged user and kernel limits (containers that refuse namespaces)", () => {
  if (!isRoot) {
    it.skip("needs the grader to run as root (it drops to an unprivileged user)", () => {});
    return;
  }
  it("grades a correct submission fully, and a hostile one to zero with the reason", async () => {
    const good = await gradeSubmission(submission(fs.readFileSync(amd.solution!, "utf8")), { root: ROOT, katas: [amd], isolation: "user" });
    expect(good.katas[0]!.score).toBe(good.katas[0]!.max);
    const bad = await gradeSubmission(submission(fs.readFileSync(path.join(FIXTURES, "shared-objects.ts"), "utf8")), { root: ROOT, katas: [amd], isolation: "user" });
    expect(bad.katas[0]!.score).toBe(0);
    expect(bad.katas[0]!.tests[0]!.message).toMatch(/Sim is the simulation's own machinery/);
  }, 300_000);
});

describe("outside kills and the cache", () => {
  if (!needSandbox()) return;

  /** Kill (SIGKILL) every kata worker that has run for 1.5 s (it is then loading the learner's file), until stopped. */
  function killer(): { stop: () => number } {
    let killed = 0;
    const seen = new Map<string, number>();
    const t = setInterval(() => {
      for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
        try {
          const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
          const uid = Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
          if (!cmd.includes("kata/worker.js") || cmd.includes("bwrap") || (isRoot && uid < 2_000_000_000)) continue;
          if (!seen.has(pid)) seen.set(pid, Date.now());
          if (Date.now() - seen.get(pid)! < 1500) continue;
          process.kill(Number(pid), "SIGKILL");
          killed++;
        } catch {
          // gone already
        }
      }
    }, 100);
    return {
      stop: () => {
        clearInterval(t);
        return killed;
      },
    };
  }

  it("a kata killed from outside fails with the reason and is not cached; graded again it is, and then it comes from the cache", async () => {
    const text = fs.readFileSync(amd.solution!, "utf8") + fs.readFileSync(path.join(FIXTURES, "slow-load.ts.txt"), "utf8");
    const cacheDir = tmp("cache");
    const o = { root: ROOT, katas: [amd], jobs: 1, cacheDir };
    const k = killer();
    const first = await gradeSubmission(submission(text), o);
    expect(k.stop()).toBeGreaterThan(0);
    expect(first.katas[0]!.score).toBe(0);
    expect(first.katas[0]!.error).toMatch(/stopped the test process while loading \(it was killed \(SIGKILL\)\)/);
    const cached = () => (fs.existsSync(path.join(cacheDir, amd.id)) ? fs.readdirSync(path.join(cacheDir, amd.id)) : []);
    expect(cached()).toEqual([]);
    const second = await gradeSubmission(submission(text), o);
    expect(second.katas[0]!.score).toBe(second.katas[0]!.max);
    expect(second.katas[0]!.cached).toBeFalsy();
    expect(cached()).toHaveLength(1);
    const third = await gradeSubmission(submission(text), o);
    expect(third.katas[0]!.cached).toBe(true);
    expect(third.katas[0]!.score).toBe(third.katas[0]!.max);
  }, 300_000);
});

describe("grade-class reports what it does not grade", () => {
  if (!needSandbox()) return;

  it("symbolic links, hidden folders and files under ROOT are named, not skipped silently; names reach the terminal without control sequences", () => {
    const root = tmp("class");
    const put = (name: string) => {
      fs.mkdirSync(path.join(root, name));
      fs.copyFileSync(amd.solution!, path.join(root, name, path.basename(amd.file)));
    };
    put("alice");
    put(".bob");
    put("\u001b]0;pwned\u0007eve");
    fs.symlinkSync(path.join(root, "alice"), path.join(root, "carol"));
    fs.writeFileSync(path.join(root, "notes.txt"), "not a submission");
    const out = path.join(tmp("grades"), "out");
    const r = tlbkata(["grade-class", root, "--out", out, "--kata", "05"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^not graded: \.bob: a hidden folder/m);
    expect(r.stderr).toMatch(/^not graded: carol: a symbolic link/m);
    expect(r.stderr).toMatch(/^not graded: notes\.txt: not a folder/m);
    expect(r.stdout).toMatch(/2 submissions \(2 graded now, 0 already done, 3 entries of ROOT not graded\)/);
    // eslint-disable-next-line no-control-regex
    expect(r.stderr + r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    const summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8")) as { skipped: { name: string }[] };
    expect(summary.skipped.map((s) => s.name).sort()).toEqual([".bob", "carol", "notes.txt"]);
  }, 300_000);
});
