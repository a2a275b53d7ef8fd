// Untrusted submissions, graded as a hostile student would write them. Each gets a safe
// outcome for its own kata, with the reason, while another kata of the same submission is
// graded normally; nothing it prints reaches a results file; nothing it does reaches the
// grader, its files, its environment or the network.
//
// Two layers are tried: "full" is grading as it ships (the OS sandbox, and in it the
// learner's module confined behind the membrane); "os" turns the confinement off, so
// that the operating system's sandbox alone must hold (the module gets fs, net,
// child_process and process, and still reads, writes, signals and sends nothing).
import { beforeAll, afterAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { listKatas, type KataInfo } from "tlbkata";
import { gradeSubmission, pool, render, type SubmissionResult } from "../../src/grader/index";
import { MAX_TEXT } from "../../src/kata/protocol";
import { noisyAmd } from "../../scripts/katas/samples.mjs";
import { needSandbox, sandboxProblem as problem } from "./support";

const ROOT = path.resolve(__dirname, "../..");
const FIXTURES = path.join(__dirname, "fixtures");
const katas = listKatas(ROOT).filter((k) => k.hidden.length && k.solution);
const amd = katas.find((k) => k.id === "05-amd-iommu-v2")!;
// Another kata in the same submission, with its reference solution: it must be unaffected.
const other: KataInfo = katas.find((k) => k.id === "08-ocxl")!;
const solution = (): string => fs.readFileSync(amd.solution!, "utf8");
const fixture = (name: string) => (): string => fs.readFileSync(path.join(FIXTURES, name), "utf8");
/** Kata 05's failures that report the flood of commands. */
const flooded = (r: SubmissionResult): string[] => r.katas.find((k) => k.id === amd.id)!.tests.map((t) => t.message ?? "").filter((m) => /invalidation-flood/.test(m));
/** The solution, flooding the IOMMU one page at a time first, and swallowing what the simulation throws for it. */
function swallowAbort(): string {
  const at = "  if ((s ^ ul_sub(e, 1n)) < ULONG(PAGE_SIZE))";
  const text = solution();
  if (!text.includes(at)) throw new Error("the solution of kata 05 changed: update swallowAbort()");
  return text.replace(at, `  try {\n    for (let a = start; a < end; a += PAGE_SIZE) amd_iommu_flush_page(dev_state, pasid_state.pasid, ULONG(a));\n  } catch {\n    // swallow the soft lockup\n  }\n${at}`);
}

/** A server on this machine's loopback that a submission would love to reach. */
let server: net.Server;
let port = 0;
const connections: string[] = [];

interface Hostile {
  /** Which family of the threat model it belongs to. */
  readonly family: string;
  /** The kata file's text (or raw bytes), when not the fixture of the same name. */
  readonly text?: () => string | Buffer;
  /** More files in the submission folder (relative path -> content), made before grading. */
  readonly extra?: (dir: string) => void;
  readonly layer: "full" | "os";
  /** "partial": some tests pass, not all. */
  readonly score: "zero" | "full" | "partial";
  readonly reason: RegExp;
  /** Per-test time limit, ms, when not the 3 s of the others. */
  readonly caseTimeoutMs?: number;
  /**
   * Whole-kata time limit, ms, when not 10 s (120 s with a caseTimeoutMs; 60 s for a
   * submission that should earn full marks, which a loaded machine must not cost it).
   */
  readonly kataTimeoutMs?: number;
  /** What else must hold, given the result and the kata's reason. */
  readonly check?: (r: SubmissionResult, reason: string) => void;
}

const KEYS_IN_SANDBOX = new Set(["NODE_ENV", "HOME", "PWD"]);

const HOSTILE: Record<string, Hostile> = {
  // --- reads: symlinks and .. out of the package, the course, the solutions, hidden tests
  "read-outside.ts": { family: "read", layer: "full", score: "zero", reason: /imports "fs": while grading, a kata file may import only "tlbkata"/ },
  "read-outside.ts@os": { family: "read", text: fixture("read-outside.ts"), layer: "os", score: "zero", reason: /could not be loaded: ENOENT: no such file or directory, open '\/etc\/hostname'/ },
  "read-solution.ts": { family: "read", layer: "full", score: "zero", reason: /imports "path"/ },
  "read-solution.ts@os": { family: "read", text: fixture("read-solution.ts"), layer: "os", score: "zero", reason: /could not be loaded: Cannot find module '\/solutions\/05-amd-iommu-v2\/amd_iommu_v2\.ts'/ },
  "read-hidden.ts@os": { family: "read", text: fixture("read-hidden.ts"), layer: "os", score: "zero", reason: /ENOENT: no such file or directory, open '\/katas\/05-amd-iommu-v2\/hidden\/coherence\.ts'/ },
  "symlink-escape.ts@os": {
    family: "read",
    text: fixture("symlink-escape.ts"),
    layer: "os",
    score: "zero",
    reason: /READ: /,
    check: (_r, reason) => {
      expect(reason).not.toMatch(/=read/);
      expect(reason.match(/=ENOENT/g)?.length).toBe(5);
    },
  },
  "escape-function.ts": { family: "read", layer: "full", score: "zero", reason: /could not be loaded: Code generation from strings disallowed/ },
  // --- /proc and the environment
  "proc-environ.ts@os": {
    family: "proc",
    text: fixture("proc-environ.ts"),
    layer: "os",
    score: "zero",
    reason: /ENV: self:/,
    check: (_r, reason) => {
      // Only the sandbox's processes, and only the few variables the sandbox sets: none of the grader's.
      const entries = reason.replace(/^.*ENV: /, "").replace(/ \(at [^)]*\)$/, "").split(" | ");
      expect(entries.length).toBeLessThanOrEqual(4);
      for (const e of entries) {
        const vars = e.replace(/^[^:]+:/, "").split(",").filter((v) => v && !/^E[A-Z]+$/.test(v));
        for (const v of vars) expect(KEYS_IN_SANDBOX.has(v.split("=")[0]!), `${e}`).toBe(true);
      }
    },
  },
  "proc-environ.ts": { family: "proc", layer: "full", score: "zero", reason: /imports "fs"/ },
  "proc-cmdline.ts@os": {
    family: "proc",
    text: fixture("proc-cmdline.ts"),
    layer: "os",
    score: "zero",
    reason: /PROC: /,
    check: (_r, reason) => {
      expect(reason).not.toContain(ROOT);
      expect(reason).not.toMatch(/hidden=[a-z]+\.ts/);
    },
  },
  // --- the compiled cache: not readable, and a learner's compiled code is never kept there
  "compiled-cache.ts@os": {
    family: "cache",
    text: fixture("compiled-cache.ts"),
    layer: "os",
    score: "zero",
    reason: /CACHE: /,
    check: (_r, reason) => {
      expect(reason).not.toMatch(/files, first/);
      const dir = path.join(ROOT, ".tlbkata", "cache", "compiled");
      const ours = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => fs.readFileSync(path.join(dir, f), "utf8").includes("CACHE: ")) : [];
      expect(ours).toEqual([]);
    },
  },
  // --- network
  "network-fetch.ts": { family: "network", layer: "full", score: "zero", reason: /could not be loaded: Cannot read properties of undefined|send is not a function/ },
  "network-socket.ts@os": {
    family: "network",
    text: () => fixture("network-socket.ts")().replace("__PORT__", String(port)),
    layer: "os",
    score: "zero",
    reason: /NET: /,
    check: (_r, reason) => {
      expect(reason).not.toMatch(/=sent/);
      expect(connections).toEqual([]);
    },
  },
  // --- forgery in the same realm
  "monkeypatch.ts": { family: "forgery", layer: "full", score: "zero", reason: /a graded driver may not change Sim\.prototype\.report/ },
  "patch-builtins.ts": { family: "forgery", layer: "full", score: "zero", reason: /Cannot assign to read only property 'some'/ },
  "proto-getter.ts": { family: "forgery", layer: "full", score: "zero", reason: /Cannot define property ok, object is not extensible/ },
  "tojson.ts": { family: "forgery", layer: "full", score: "zero", reason: /Cannot add property toJSON, object is not extensible/ },
  "crypto-hmac.ts": { family: "forgery", layer: "full", score: "zero", reason: /imports "crypto"/ },
  "generator.ts": { family: "forgery", layer: "full", score: "zero", reason: /Cannot assign to read only property 'next'/ },
  "shared-objects.ts": { family: "forgery", layer: "full", score: "zero", reason: /Sim is the simulation's own machinery: a driver passes it to kernel functions, it does not look inside/ },
  // A correct driver that first floods the IOMMU page by page inside try/catch: the soft
  // lockup the simulation throws is swallowed. The membrane throws it again when the
  // driver returns; the OS layer alone cannot see it (the forgery works there).
  "swallow-abort": {
    family: "forgery",
    text: () => swallowAbort(),
    caseTimeoutMs: 30_000,
    layer: "full",
    score: "partial",
    reason: /./,
    // Every hidden test with a range big enough to flood still reports the soft lockup it swallowed.
    check: (r) => {
      const f = flooded(r);
      expect(f.length).toBeGreaterThan(0);
      for (const m of f) expect(m).toMatch(/^\[invalidation-flood\] .*soft lockup/);
    },
  },
  "swallow-abort@os": { family: "forgery", text: () => swallowAbort(), caseTimeoutMs: 30_000, layer: "os", score: "partial", reason: /./, check: (r) => expect(flooded(r)).toEqual([]) },
  "forge-results.ts": { family: "forgery", layer: "full", score: "zero", reason: /imports "fs"/ },
  "forge-results.ts@os": { family: "forgery", text: fixture("forge-results.ts"), layer: "os", score: "zero", reason: /^\[stale-tlb/ },
  "source-map.ts": {
    family: "forgery",
    layer: "full",
    score: "zero",
    reason: /SOURCE: Error: here/,
    check: (r) => {
      const hidden = amd.hidden.map((f) => fs.readFileSync(f, "utf8"));
      // Distinctive lines of the hidden tests (their case names are shown to students anyway).
      const lines = hidden.flatMap((t) => t.split("\n")).map((l) => l.trim()).filter((l) => l.length > 40 && !/^(\/\/|\*|\/\*\*)|name:|title/.test(l));
      expect(lines.length).toBeGreaterThan(5);
      const all = render(r, "json");
      for (const l of lines) expect(all.includes(l), l).toBe(false);
      expect(all).toContain("[code not shown while grading]");
    },
  },
  // --- bytes that are not UTF-8, oversized input, control sequences, huge messages
  "invalid-utf8-source.ts": { family: "input", layer: "full", score: "zero", reason: /amd_iommu_v2\.ts is not valid UTF-8 text/ },
  "huge-source.ts": { family: "input", text: () => `export const iommu_mn = {};\n//${"x".repeat(600 * 1024)}\n`, layer: "full", score: "zero", reason: /amd_iommu_v2\.ts is 600 KiB; the grader takes kata files up to 512 KiB/ },
  "control-chars.ts": {
    family: "input",
    layer: "full",
    score: "zero",
    reason: /gotcha/,
    check: (r) => {
      for (const f of ["json", "text", "markdown", "junit", "gradescope"] as const) {
        // eslint-disable-next-line no-control-regex
        expect(render(r, f)).not.toMatch(/\u001b|\u0007|\\u001b|\\u0007|\\u0000|\ud800|\\ud800|\\r/);
      }
    },
  },
  "huge-message.ts": {
    family: "input",
    layer: "full",
    score: "zero",
    reason: /HUGEHUGE.*cut at 4000 characters/,
    check: (r) => {
      for (const t of r.katas.flatMap((k) => k.tests)) expect((t.message ?? "").length).toBeLessThanOrEqual(MAX_TEXT + 100);
      expect(render(r, "json").length).toBeLessThan(200_000);
    },
  },
  "manifest-bomb": {
    family: "input",
    text: solution,
    extra: (dir) => {
      // 20000 names for one protected file (./, //, x/.., symbolic links): each file is hashed once.
      const kd = path.join(dir, "katas", amd.id);
      fs.mkdirSync(kd, { recursive: true });
      fs.renameSync(path.join(dir, path.basename(amd.file)), path.join(kd, path.basename(amd.file)));
      fs.copyFileSync(amd.visible!, path.join(kd, "visible.ts"));
      const sum = require("node:crypto").createHash("sha256").update(fs.readFileSync(amd.visible!)).digest("hex");
      const prot: Record<string, string> = { [`katas/${amd.id}/visible.ts`]: sum };
      for (let i = 0; i < 500; i++) {
        fs.symlinkSync("visible.ts", path.join(kd, `v${i}.ts`));
        prot[`katas/${amd.id}/v${i}.ts`] = sum;
      }
      for (let i = 0; i < 20000; i++) prot[`katas/${amd.id}/${"./".repeat(i % 7)}${i % 2 ? "x/../" : "/"}visible.ts#${i}`] = sum;
      fs.writeFileSync(path.join(dir, "release-manifest.json"), JSON.stringify({ version: 1, protected: prot, editable: {} }));
    },
    layer: "full",
    score: "full",
    reason: /^$/,
  },
  "bad-manifest": {
    family: "input",
    text: solution,
    extra: (dir) => fs.writeFileSync(path.join(dir, "release-manifest.json"), Buffer.concat([Buffer.from('{"version":1,"protected":["'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"]}')])),
    layer: "full",
    score: "full",
    reason: /^$/,
  },
  // A correct driver that prints on every call: kata 05's tests (property tests
  // included) may take more than the 10 s the time family is held to; the grader's own limit.
  "output-flood.ts": { family: "input", text: noisyAmd, layer: "full", score: "full", reason: /^$/, kataTimeoutMs: 120_000 },
  // --- time: endless, and slow under the per-test limit
  "infinite-loop.ts": { family: "time", layer: "full", score: "zero", reason: /your code took longer than 3 s during this test|the kata's time limit/ },
  "slow-tests.ts": {
    family: "time",
    layer: "full",
    score: "zero",
    reason: /./,
    check: (r) => {
      // 17 tests of 2.5 s each would be 40 s: the kata's 10 s limit stops them while they run.
      const k = r.katas.find((x) => x.id === amd.id)!;
      expect(k.tests.filter((t) => /your code used up the kata's time limit \(10 s\) during this test/.test(t.message ?? "")).length).toBe(1);
      expect(k.tests.filter((t) => /not run: the kata's time limit \(10 s\) was used up/.test(t.message ?? "")).length).toBeGreaterThan(8);
    },
  },
  // --- memory: V8's heap, and off it
  "unbounded-memory.ts": { family: "memory", layer: "full", score: "zero", reason: /ran out of memory|took longer than|time limit/ },
  "offheap-memory.ts": { family: "memory", layer: "full", score: "zero", reason: /Array buffer allocation failed|ran out of memory|was killed/ },
  "wasm-memory.ts@os": {
    family: "memory",
    text: fixture("wasm-memory.ts"),
    layer: "os",
    score: "zero",
    reason: /WASM: stopped at (\d+) KiB|ran out of memory|was killed/,
    check: (_r, reason) => {
      const kib = Number(/stopped at (\d+) KiB/.exec(reason)?.[1] ?? 0);
      // The kernel's data limit: 256 MiB of heap and 256 MiB for Node itself.
      expect(kib).toBeLessThan(512 * 1024);
    },
  },
  // --- writes where the grader runs
  "write-cwd.ts@os": {
    family: "write",
    text: fixture("write-cwd.ts"),
    layer: "os",
    score: "zero",
    reason: /WRITE: /,
    check: (_r, reason) => {
      expect(reason).toMatch(/trace-events\.json=written/);
      // A heap snapshot is larger than the file size limit.
      expect(reason).toMatch(/heap snapshot: EFBIG/);
      // Written only in the sandbox's own tmpfs working folder.
      for (const m of reason.matchAll(/(\/[^=; ]+)=written/g)) expect(m[1]!.startsWith("/work/") && !m[1]!.startsWith(ROOT)).toBe(true);
      expect(fs.existsSync(path.join(process.cwd(), "trace-events.json"))).toBe(false);
      expect(fs.existsSync(path.join(ROOT, "PWNED.txt"))).toBe(false);
      expect(fs.readdirSync(process.cwd()).filter((f) => f.endsWith(".heapsnapshot"))).toEqual([]);
    },
  },
  "file-size.ts@os": { family: "write", text: fixture("file-size.ts"), layer: "os", score: "zero", reason: /was killed \(SIGXFSZ\)|FSIZE: wrote [01] MiB: EFBIG/ },
  // --- priority, signals, processes
  "renice.ts@os": {
    family: "priority",
    text: fixture("renice.ts"),
    layer: "os",
    score: "zero",
    reason: /NICE: ppid \d+/,
    check: () => expect(os.getPriority(process.pid)).toBe(0),
  },
  "kill-grader.ts": { family: "signals", layer: "full", score: "zero", reason: /process is not defined/ },
  // It loads and is graded (zero: it flushes nothing); the grader and the other kata go on.
  "kill-all.ts@os": { family: "signals", text: fixture("kill-all.ts"), layer: "os", score: "zero", reason: /^\[stale-tlb|stopped the test process while loading/ },
  "fork-bomb.ts@os": { family: "signals", text: fixture("fork-bomb.ts"), layer: "os", score: "zero", reason: /FORK: started (\d|[1-5]\d): (EAGAIN|status)|stopped the test process/ },
  "exit-at-load.ts": { family: "signals", layer: "full", score: "zero", reason: /could not be loaded: process is not defined/ },
  "throw-at-load.ts": { family: "signals", layer: "full", score: "zero", reason: /could not be loaded: boom at load \(at amd_iommu_v2\.ts:3\)/ },
  // --- lingering work after the tests
  lingering: { family: "lingering", text: () => solution() + fixture("lingering.ts.txt")(), layer: "full", score: "full", reason: /^$/ },
  "lingering@os": { family: "lingering", text: () => solution() + fixture("lingering.ts.txt")(), layer: "os", score: "full", reason: /^$/ },
};

const graded = new Map<string, SubmissionResult>();
const niceBefore = os.getPriority(process.pid);

beforeAll(async () => {
  if (problem) return;
  server = net.createServer((s) => {
    connections.push(String(s.remoteAddress));
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as net.AddressInfo).port;
  await pool(Object.keys(HOSTILE), 2, async (name) => {
    const h = HOSTILE[name]!;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tlbkata-hostile-`));
    fs.writeFileSync(path.join(dir, path.basename(amd.file)), h.text ? h.text() : fs.readFileSync(path.join(FIXTURES, name)));
    fs.copyFileSync(other.solution!, path.join(dir, path.basename(other.file)));
    h.extra?.(dir);
    const r = await gradeSubmission(dir, { root: ROOT, katas: [amd, other], jobs: 1, caseTimeoutMs: h.caseTimeoutMs ?? 3000, kataTimeoutMs: h.kataTimeoutMs ?? (h.caseTimeoutMs ? 120_000 : h.score === "full" ? 60_000 : 10_000), memoryMb: 256, confine: h.layer === "full" });
    graded.set(name, r);
    fs.rmSync(dir, { recursive: true, force: true });
  });
}, 900_000);

afterAll(() => server?.close());

describe("hostile submissions", () => {
  if (!needSandbox()) return;

  it("every fixture is graded, and every family of the threat model has some", () => {
    const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith(".ts"));
    const used = new Set(Object.entries(HOSTILE).map(([n, h]) => (h.text ? n.replace(/@os$/, "") : n)));
    for (const f of files) expect(used.has(f) || Object.keys(HOSTILE).includes(`${f}@os`), f).toBe(true);
    expect(Object.keys(HOSTILE).length).toBeGreaterThanOrEqual(30);
    expect(new Set(Object.values(HOSTILE).map((h) => h.family))).toEqual(new Set(["read", "proc", "cache", "network", "forgery", "input", "time", "memory", "write", "priority", "signals", "lingering"]));
  });

  for (const [name, want] of Object.entries(HOSTILE)) {
    it(`${name} (${want.family}, ${want.layer === "full" ? "as graded" : "OS sandbox alone"}): ${want.score === "zero" ? "zero" : "full marks"} for its kata, with the reason; the other kata unaffected`, () => {
      const r = graded.get(name)!;
      const k = r.katas.find((x) => x.id === amd.id)!;
      expect(k.max).toBeGreaterThan(0);
      const reason = k.error ?? k.tests.find((t) => !t.ok)?.message ?? "";
      expect(reason).toMatch(want.reason);
      if (want.score === "partial") {
        expect(k.score).toBeGreaterThan(0);
        expect(k.score).toBeLessThan(k.max);
      } else expect(k.score).toBe(want.score === "zero" ? 0 : k.max);
      const o = r.katas.find((x) => x.id === other.id)!;
      expect(o.error).toBeUndefined();
      expect(o.score).toBe(o.max);
      expect(r.score).toBeLessThanOrEqual(r.max);
      for (const f of ["json", "gradescope", "exercism", "junit", "markdown", "text"] as const) expect(render(r, f)).not.toMatch(/FORGED|FLOOD|999|EXFILTRATED/);
      want.check?.(r, reason);
    });
  }

  it("the grader's priority is what it was", () => {
    expect(os.getPriority(process.pid)).toBe(niceBefore);
  });
});
