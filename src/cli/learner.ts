/**
 * The learner's loop: `list`, `check`, `watch`, `hint`, `reset`, `solution`. Visible
 * tests run in a worker process (a learner's infinite loop costs one test, not the
 * terminal), and nothing here ever writes to a learner's kata file except `reset`,
 * which keeps a backup first. "Pass" always says which tests passed: the visible ones
 * do not cover what the hidden ones grade.
 */
import * as fs from "fs";
import * as path from "path";
import { execFileSync } from "child_process";
import { notebookKatas, kataWorkerSpec, type KataInfo } from "../kata/catalog";
import { runKataJob, type JobResult } from "../kata/job";
import { typeErrors } from "../kata/load";
import { readProgress, writeProgress, kataProgress, sha256File, type CheckRecord } from "../kata/progress";
import { parseArgs, formatOptions, type OptionSpecs } from "./args";
import type { Command, Io } from "./command";
import { EXIT_OK, EXIT_VIOLATION, UsageError } from "./errors";
import { courseRoot, allKatas, kataNamed } from "./course";
import { textReport, ktapReport, points, outcomes, changeSince } from "./report";

/** Per visible test; TLBKATA_CASE_TIMEOUT_MS overrides (tests use a short one). */
const CASE_TIMEOUT_MS = Number(process.env.TLBKATA_CASE_TIMEOUT_MS) || 30_000;
const HELP_ONLY = { help: { type: "boolean", short: "h", help: "show this help" } } as const satisfies OptionSpecs;

function usage(io: Io, c: Command): number {
  io.out(c.usage + "\n");
  return EXIT_OK;
}

function requireFile(kata: KataInfo): void {
  if (!fs.existsSync(kata.file)) {
    throw new UsageError(`kata ${kata.id}: ${path.relative(process.cwd(), kata.file)} is missing; \`tlbkata reset ${kata.id}\` restores the starter`);
  }
  if (!kata.visible) throw new UsageError(`kata ${kata.id} has no visible tests (visible.ts)`);
}

/** A check's outcome, and what changed since the last check of another version of the file. */
export interface CheckRun {
  readonly result: JobResult;
  readonly changes: readonly string[];
}

function record(sha: string, r: JobResult): CheckRecord {
  const { score, max, passed } = points(r);
  return { sha256: sha, passed, score, max, at: new Date().toISOString(), cases: outcomes(r) };
}

/** Run a kata's visible tests (or, `hidden`, its hidden tests) on the learner's file and remember the outcome. */
export async function checkKata(root: string, kata: KataInfo, traces = false, which: "visible" | "hidden" = "visible"): Promise<CheckRun> {
  requireFile(kata);
  const sha = sha256File(kata.file);
  const r = await runKataJob(
    kataWorkerSpec(kata, kata.file, which === "visible" ? [kata.visible!] : kata.hidden, traces),
    { caseTimeoutMs: CASE_TIMEOUT_MS, cwd: kata.dir },
  );
  const p = readProgress(root);
  const kp = kataProgress(p, kata.id);
  const before = which === "visible" ? kp.lastCheck : kp.lastFull;
  const now = record(sha, r);
  // Compare with the last check of a different file: re-checking the same file tells nothing new.
  const changes = before && before.sha256 !== sha ? changeSince(before.cases, now.cases!) : [];
  if (which === "visible") kp.lastCheck = now;
  else kp.lastFull = now;
  writeProgress(root, p);
  return { result: r, changes };
}

type Status = "not started" | "visible tests pass" | "all tests pass" | "visible tests fail" | "edited, not checked" | "missing file";

export const passes = (s: Status): boolean => s === "visible tests pass" || s === "all tests pass";

export function statusOf(root: string, kata: KataInfo): Status {
  if (!fs.existsSync(kata.file)) return "missing file";
  const kp = readProgress(root).katas[kata.id];
  const last = kp?.lastCheck;
  const sha = sha256File(kata.file);
  if (last && last.sha256 === sha) {
    if (!last.passed) return "visible tests fail";
    return kp?.lastFull?.sha256 === sha && kp.lastFull.passed ? "all tests pass" : "visible tests pass";
  }
  const starter = pristineStarterOrNull(root, kata);
  if (starter !== null && starter === fs.readFileSync(kata.file, "utf8")) return "not started";
  return "edited, not checked";
}

/**
 * The kata a learner means. A notebook number with several katas ("04") means the
 * first of them, in course order, whose visible tests do not pass yet (or the first
 * when all do); `say` is told which was picked. Commands that must not guess
 * (reset, solution) pass no `say`, and get an error listing the katas instead.
 */
export function pickKata(root: string, name: string, say?: (line: string) => void): KataInfo {
  if (/^\d+$/.test(name)) {
    const ks = notebookKatas(root, name);
    if (ks.length > 1) {
      const nn = name.padStart(2, "0");
      if (!say) throw new UsageError(`notebook ${nn} has ${ks.length} katas (${ks.map((k) => k.id).join(", ")}): name one`);
      const next = ks.find((k) => !passes(statusOf(root, k)));
      const k = next ?? ks[0]!;
      say(`Notebook ${nn} has ${ks.length} katas, in order: ${ks.map((x) => x.id).join(", ")}. ${next ? `${k.id} is the first whose visible tests do not pass yet.` : `All pass their visible tests; taking the first, ${k.id}.`}`);
      return k;
    }
  }
  return kataNamed(name, root);
}

/** After a visible pass: what the visible tests leave out, and how to run the rest. */
function beyondVisible(kata: KataInfo): string {
  const what = kata.hiddenAlsoChecks ? `They do not check ${kata.hiddenAlsoChecks}` : "The hidden tests used for grading check more than they do.";
  const how = kata.hidden.length ? `\`tlbkata check ${kata.id} --full\` runs the hidden tests too.` : "The hidden tests are not part of this release: your grade comes from them.";
  return `  The visible tests pass. ${what}\n  ${how}`;
}

// ------------------------------------------------------------------ list

const LIST_OPTIONS = { json: { type: "boolean", help: "print JSON" }, help: { type: "boolean", short: "h", help: "show this help" } } as const satisfies OptionSpecs;

export const listCommand: Command = {
  name: "list",
  usage: `Usage: tlbkata list [--json]

The katas in course order (by notebook, and in each notebook the order to do them
in), with their status (not started, visible tests fail, visible tests pass, all
tests pass after \`check --full\`, or edited since the last check) and the points of
their visible tests.

Options:
${formatOptions(LIST_OPTIONS)}`,
  run(argv, io) {
    const { options, positionals } = parseArgs(argv, LIST_OPTIONS, "list");
    if (options.help) return usage(io, listCommand);
    if (positionals.length) throw new UsageError(`list takes no arguments, got: ${positionals.join(" ")}`);
    const root = courseRoot();
    const katas = allKatas(root);
    const p = readProgress(root);
    const rows = katas.map((k) => {
      const last = p.katas[k.id]?.lastCheck;
      const status = statusOf(root, k);
      // Points belong to the file as it was checked: shown only while it is unchanged.
      const points = last && (passes(status) || status === "visible tests fail") ? `${last.score}/${last.max}` : "-";
      return { id: k.id, title: k.title, status, points, hints: `${p.katas[k.id]?.hintsShown ?? 0}/${k.hints.length}` };
    });
    if (options.json) {
      io.out(JSON.stringify({ katas: rows }, null, 2) + "\n");
      return EXIT_OK;
    }
    const w = Math.max(4, ...rows.map((r) => r.id.length));
    const ws = Math.max(...rows.map((r) => r.status.length), 6);
    io.out(`${"kata".padEnd(w)}  ${"status".padEnd(ws)}  points  hints  title\n`);
    for (const r of rows) io.out(`${r.id.padEnd(w)}  ${r.status.padEnd(ws)}  ${r.points.padEnd(6)}  ${r.hints.padEnd(5)}  ${r.title}\n`);
    return EXIT_OK;
  },
};

// ------------------------------------------------------------------ check

const CHECK_OPTIONS = {
  trace: { type: "boolean", help: "show the trace that led to each failure" },
  full: { type: "boolean", help: "run the hidden tests too (only where they are: not in a student release)" },
  ktap: { type: "boolean", help: "print KTAP (the kernel's test output format) instead of text" },
  help: { type: "boolean", short: "h", help: "show this help" },
} as const satisfies OptionSpecs;

export const checkCommand: Command = {
  name: "check",
  usage: `Usage: tlbkata check [KATA] [--trace] [--full] [--ktap]

Run the visible tests of KATA, or of every kata, on your file, and explain each
failure: the rule that broke, the step, the address, what the callbacks sent and
which caches still held the page. KATA is a name (05-amd-iommu-v2, amd-iommu-v2) or
a notebook number: 05, or 04 for the first kata of notebook 04 whose visible tests do
not pass yet. After a pass it says what the visible tests do not check; --full runs
the hidden tests too, in a copy of the course that has them.

Options:
${formatOptions(CHECK_OPTIONS)}

Exit status: 0 every test run passes, 1 some fail, 2 bad usage or input.`,
  async run(argv, io) {
    const { options, positionals } = parseArgs(argv, CHECK_OPTIONS, "check");
    if (options.help) return usage(io, checkCommand);
    if (positionals.length > 1) throw new UsageError(`check takes at most one KATA, got: ${positionals.join(" ")}`);
    const root = courseRoot();
    const traces = options.trace ?? false;
    // KTAP must start with its version line; there the subtest's name says which kata ran.
    const say = (line: string) => void (options.ktap || io.out(`${line}\n\n`));
    const katas = positionals.length ? [pickKata(root, positionals[0]!, say)] : allKatas(root);
    const runs: { kata: KataInfo; result: JobResult; changes: readonly string[]; hidden?: CheckRun }[] = [];
    const present = katas.filter((k) => positionals.length > 0 || fs.existsSync(k.file));
    for (const kata of present) {
      const visible = await checkKata(root, kata, traces);
      const hidden = options.full && kata.hidden.length ? await checkKata(root, kata, traces, "hidden") : undefined;
      runs.push({ kata, result: visible.result, changes: visible.changes, hidden });
    }
    const types = typeErrors(present.filter((k) => fs.existsSync(k.file)).map((k) => k.file));
    const color = Boolean(process.stdout.isTTY);
    for (const { kata, result, changes, hidden } of runs) {
      if (options.ktap) continue;
      const typeErrs = types.get(path.resolve(kata.file));
      io.out(textReport(kata, result, { traces, color, typeErrors: typeErrs, changes }) + "\n");
      if (points(result).passed && !options.full) io.out(beyondVisible(kata) + "\n");
      if (hidden) io.out("\n" + textReport(kata, hidden.result, { traces, color, which: "hidden", changes: hidden.changes }) + "\n");
      if (options.full && !kata.hidden.length) io.out(`  --full: the hidden tests of ${kata.id} are not in this release (no katas/${kata.id}/hidden); only the visible tests ran.\n`);
      io.out("\n");
    }
    if (options.ktap) {
      const all = runs.flatMap((r) => [{ kata: r.kata, result: r.result, typeErrors: types.get(path.resolve(r.kata.file)) }, ...(r.hidden ? [{ kata: r.kata, result: r.hidden.result }] : [])]);
      io.out(ktapReport(all) + "\n");
    }
    const allPass = runs.every((r) => points(r.result).passed && (!r.hidden || points(r.hidden.result).passed));
    if (!options.ktap && !allPass) {
      const first = runs.find((r) => !points(r.result).passed || (r.hidden && !points(r.hidden.result).passed))!;
      io.out(`Stuck? \`tlbkata hint ${first.kata.id}\` shows the next hint; \`--trace\` shows how it happened.\n`);
    }
    return allPass ? EXIT_OK : EXIT_VIOLATION;
  },
};

// ------------------------------------------------------------------ hint

const HINT_OPTIONS = {
  again: { type: "boolean", help: "show the hints already seen, without a new one" },
  help: { type: "boolean", short: "h", help: "show this help" },
} as const satisfies OptionSpecs;

export const hintCommand: Command = {
  name: "hint",
  usage: `Usage: tlbkata hint KATA [--again]

Show KATA's next hint, one at a time (remembered between runs).

Options:
${formatOptions(HINT_OPTIONS)}`,
  run(argv, io) {
    const { options, positionals } = parseArgs(argv, HINT_OPTIONS, "hint");
    if (options.help) return usage(io, hintCommand);
    if (positionals.length !== 1) throw new UsageError(`hint takes one KATA (for example: tlbkata hint 05), got ${positionals.length}`);
    const root = courseRoot();
    const kata = pickKata(root, positionals[0]!, (line) => io.out(`${line}\n\n`));
    if (!kata.hints.length) throw new UsageError(`kata ${kata.id} has no hints`);
    const p = readProgress(root);
    const kp = kataProgress(p, kata.id);
    const show = (i: number) => io.out(`Hint ${i + 1} of ${kata.hints.length} for ${kata.id}:\n\n${fs.readFileSync(kata.hints[i]!, "utf8").trim()}\n\n`);
    if (options.again) {
      if (kp.hintsShown === 0) io.out(`No hints seen yet for ${kata.id}: \`tlbkata hint ${kata.id}\` shows the first.\n`);
      for (let i = 0; i < kp.hintsShown; i++) show(i);
      return EXIT_OK;
    }
    if (kp.hintsShown >= kata.hints.length) {
      show(kata.hints.length - 1);
      io.out(`That was the last hint (${kata.hints.length} of ${kata.hints.length}). \`--again\` shows them all.\n`);
      return EXIT_OK;
    }
    show(kp.hintsShown);
    kp.hintsShown++;
    writeProgress(root, p);
    return EXIT_OK;
  },
};

// ------------------------------------------------------------------ reset

/** The starter as shipped: from a release's saved copy, or from git; null when neither has it. */
function pristineStarterOrNull(root: string, kata: KataInfo): string | null {
  const rel = path.relative(root, kata.file).split(path.sep).join("/");
  const saved = path.join(root, ".tlbkata", "starters", rel);
  if (fs.existsSync(saved)) return fs.readFileSync(saved, "utf8");
  try {
    return execFileSync("git", ["-C", root, "show", `HEAD:${rel}`], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return null;
  }
}

function pristineStarter(root: string, kata: KataInfo): string {
  const s = pristineStarterOrNull(root, kata);
  if (s === null) throw new UsageError(`cannot find the original starter of ${kata.id} (the course folder is not a git checkout and has no .tlbkata/starters); your file is unchanged`);
  return s;
}

export const resetCommand: Command = {
  name: "reset",
  usage: `Usage: tlbkata reset KATA

Restore KATA's file to the starter. Your current file is first copied to
.tlbkata/backups/, so nothing you wrote is lost.`,
  run(argv, io) {
    const { options, positionals } = parseArgs(argv, HELP_ONLY, "reset");
    if (options.help) return usage(io, resetCommand);
    if (positionals.length !== 1) throw new UsageError(`reset takes one KATA, got ${positionals.length}`);
    const root = courseRoot();
    const kata = pickKata(root, positionals[0]!);
    const starter = pristineStarter(root, kata);
    if (fs.existsSync(kata.file)) {
      const current = fs.readFileSync(kata.file, "utf8");
      if (current === starter) {
        io.out(`${kata.id}: already the starter; nothing to do.\n`);
        return EXIT_OK;
      }
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      const backup = path.join(root, ".tlbkata", "backups", kata.id, `${path.basename(kata.file, ".ts")}.${stamp}.ts`);
      fs.mkdirSync(path.dirname(backup), { recursive: true });
      fs.writeFileSync(backup, current, { flag: "wx" });
      io.out(`Your file is saved as ${path.relative(process.cwd(), backup)}\n`);
    }
    const tmp = `${kata.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, starter);
    fs.renameSync(tmp, kata.file);
    io.out(`${kata.id}: ${path.relative(process.cwd(), kata.file)} is the starter again.\n`);
    return EXIT_OK;
  },
};

// ------------------------------------------------------------------ solution

export const solutionCommand: Command = {
  name: "solution",
  usage: `Usage: tlbkata solution KATA

Show KATA's reference solution, once your file passes the kata's visible tests (they
are run now if your file changed since its last check). The hidden tests are not
needed: they check more than the visible ones, so a file can pass these and still
lose points. A student release has no solutions: it says so.

Exit status: 0 the solution is shown, 1 your file does not pass yet, 2 bad usage or
no solution in this copy of the course.`,
  async run(argv, io) {
    const { options, positionals } = parseArgs(argv, HELP_ONLY, "solution");
    if (options.help) return usage(io, solutionCommand);
    if (positionals.length !== 1) throw new UsageError(`solution takes one KATA, got ${positionals.length}`);
    const root = courseRoot();
    const kata = pickKata(root, positionals[0]!);
    if (!kata.solution) {
      throw new UsageError(
        fs.existsSync(path.join(root, "solutions"))
          ? `kata ${kata.id} has no reference solution (solutions/${kata.id}/${path.basename(kata.file)})`
          : `solutions are not part of this release (this copy of the course has no solutions/ folder): your instructor has them`,
      );
    }
    requireFile(kata);
    let last = readProgress(root).katas[kata.id]?.lastCheck;
    if (!last || last.sha256 !== sha256File(kata.file)) {
      io.out(`Checking ${kata.id} first: the solution is shown once your file passes its visible tests.\n`);
      await checkKata(root, kata);
      last = readProgress(root).katas[kata.id]?.lastCheck;
    }
    if (!last?.passed) {
      io.out(`${kata.id}: your file does not pass its visible tests yet (${last?.score ?? 0}/${last?.max ?? "?"} points); \`tlbkata check ${kata.id}\` shows why, \`tlbkata hint ${kata.id}\` helps. The solution stays hidden until then.\n`);
      return EXIT_VIOLATION;
    }
    const rel = (f: string) => path.relative(process.cwd(), f) || f;
    const full = readProgress(root).katas[kata.id]?.lastFull;
    const hidden = full?.sha256 === last.sha256 ? `the hidden tests ran too (\`check --full\`): ${full.score}/${full.max}` : "the hidden tests were not run";
    io.out(`Your file passes the visible tests of ${kata.id} (${last.score}/${last.max}); ${hidden}.\n`);
    io.out(`The reference solution, ${rel(kata.solution)}:\n\n${fs.readFileSync(kata.solution, "utf8").trimEnd()}\n`);
    if (kata.variants.length) io.out(`\nOther correct versions, written differently: ${kata.variants.map(rel).join(", ")}\n`);
    return EXIT_OK;
  },
};

// ------------------------------------------------------------------ watch

export const watchCommand: Command = {
  name: "watch",
  usage: `Usage: tlbkata watch [KATA]

Run the visible tests of KATA (by default the first kata, in course order, whose
visible tests do not pass yet) each time you save its file, and move on to the next
kata when they pass. Ctrl-C to stop.`,
  run(argv, io) {
    const { options, positionals } = parseArgs(argv, HELP_ONLY, "watch");
    if (options.help) return usage(io, watchCommand);
    if (positionals.length > 1) throw new UsageError(`watch takes at most one KATA, got: ${positionals.join(" ")}`);
    const root = courseRoot();
    const katas = allKatas(root);
    let current = positionals.length ? pickKata(root, positionals[0]!, (line) => io.out(`${line}\n`)) : katas.find((k) => !passes(statusOf(root, k)));
    if (!current) {
      io.out("The visible tests of every kata pass. `tlbkata check KATA --full` runs the hidden tests where they are.\n");
      return EXIT_OK;
    }
    requireFile(current);
    return new Promise<number>((resolve) => {
      let running = false;
      let again = false;
      let lastSha = "";
      let stop = (): void => undefined;
      const tty = Boolean(process.stdout.isTTY);
      const run = async (): Promise<void> => {
        if (running) return void (again = true);
        running = true;
        do {
          again = false;
          const kata = current!;
          if (!fs.existsSync(kata.file)) {
            io.out(`${kata.id}: ${path.relative(process.cwd(), kata.file)} is missing (\`tlbkata reset ${kata.id}\` restores it). Waiting...\n`);
            break;
          }
          lastSha = sha256File(kata.file);
          if (tty) io.out("\x1b[2J\x1b[H");
          io.out(`[watch] ${new Date().toLocaleTimeString()} checking ${kata.id}...\n`);
          const { result: r, changes } = await checkKata(root, kata);
          io.out(textReport(kata, r, { traces: false, color: tty, typeErrors: typeErrors([kata.file]).get(path.resolve(kata.file)), changes }) + "\n");
          if (points(r).passed) {
            io.out(beyondVisible(kata) + "\n");
            const at = katas.findIndex((k) => k.id === kata.id);
            const next = katas.find((k, i) => i > at && !passes(statusOf(root, k)));
            if (!next) {
              io.out(`\nThe visible tests of ${kata.id} pass, and so do those of every kata after it.\n`);
              stop();
              resolve(EXIT_OK);
              return;
            }
            io.out(`\nThe visible tests of ${kata.id} pass. Next: ${next.id} (${path.relative(process.cwd(), next.file)}). Save it to check it.\n`);
            current = next;
            stop();
            stop = watchFile(current.file, onChange);
          } else {
            io.out(`\nWatching ${path.relative(process.cwd(), kata.file)}: save it to check again (Ctrl-C stops).\n`);
          }
        } while (again);
        running = false;
      };
      let debounce: NodeJS.Timeout | undefined;
      const onChange = (): void => {
        if (debounce) clearTimeout(debounce);
        debounce = setTimeout(() => {
          // Editors touch files without changing them; only a new content counts.
          if (fs.existsSync(current!.file) && sha256File(current!.file) === lastSha) return;
          void run();
        }, 150);
      };
      stop = watchFile(current!.file, onChange);
      process.once("SIGINT", () => {
        stop();
        io.out("\n[watch] stopped.\n");
        resolve(EXIT_OK);
      });
      void run();
    });
  },
};

/** Call `onChange` when `file` may have changed: fs.watch on its folder, and polling for editors that replace files. */
function watchFile(file: string, onChange: () => void): () => void {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let w: fs.FSWatcher | null = null;
  try {
    w = fs.watch(dir, (_ev, name) => {
      if (!name || name.toString() === base) onChange();
    });
  } catch {
    w = null;
  }
  const poll = (): void => onChange();
  fs.watchFile(file, { interval: 500 }, poll);
  return () => {
    w?.close();
    fs.unwatchFile(file, poll);
  };
}

export type { Io };
