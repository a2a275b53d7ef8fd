/**
 * The learner's loop: `list`, `check`, `watch`, `hint`, `reset`. Visible tests run in
 * a worker process (a learner's infinite loop costs one test, not the terminal), and
 * nothing here ever writes to a learner's kata file except `reset`, which keeps a
 * backup first.
 */
import * as fs from "fs";
import * as path from "path";
import { execFileSync } from "child_process";
import type { KataInfo } from "../kata/catalog";
import { runKataJob, type JobResult } from "../kata/job";
import { typeErrors } from "../kata/load";
import { readProgress, writeProgress, kataProgress, sha256File } from "../kata/progress";
import { parseArgs, formatOptions, type OptionSpecs } from "./args";
import type { Command, Io } from "./command";
import { EXIT_OK, EXIT_VIOLATION, UsageError } from "./errors";
import { courseRoot, allKatas, kataNamed } from "./course";
import { textReport, ktapReport, points } from "./report";

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

/** Run a kata's visible tests on the learner's file and remember the outcome. */
export async function checkKata(root: string, kata: KataInfo, traces = false): Promise<JobResult> {
  requireFile(kata);
  const sha = sha256File(kata.file);
  const r = await runKataJob(
    { impl: kata.file, kataId: kata.id, exports: kata.exports, suites: [kata.visible!], traces },
    { caseTimeoutMs: CASE_TIMEOUT_MS, cwd: kata.dir },
  );
  const p = readProgress(root);
  const { score, max, passed } = points(r);
  kataProgress(p, kata.id).lastCheck = { sha256: sha, passed, score, max, at: new Date().toISOString() };
  writeProgress(root, p);
  return r;
}

type Status = "not started" | "passing" | "failing" | "edited, not checked" | "missing file";

export function statusOf(root: string, kata: KataInfo): Status {
  if (!fs.existsSync(kata.file)) return "missing file";
  const last = readProgress(root).katas[kata.id]?.lastCheck;
  const sha = sha256File(kata.file);
  if (last && last.sha256 === sha) return last.passed ? "passing" : "failing";
  const starter = pristineStarterOrNull(root, kata);
  if (starter !== null && starter === fs.readFileSync(kata.file, "utf8")) return "not started";
  return "edited, not checked";
}

// ------------------------------------------------------------------ list

const LIST_OPTIONS = { json: { type: "boolean", help: "print JSON" }, help: { type: "boolean", short: "h", help: "show this help" } } as const satisfies OptionSpecs;

export const listCommand: Command = {
  name: "list",
  usage: `Usage: tlbkata list [--json]

The katas in course order, with their status (not started, failing, passing, or
edited since the last check) and the points of their visible tests.

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
      const points = last && (status === "passing" || status === "failing") ? `${last.score}/${last.max}` : "-";
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
  ktap: { type: "boolean", help: "print KTAP (the kernel's test output format) instead of text" },
  help: { type: "boolean", short: "h", help: "show this help" },
} as const satisfies OptionSpecs;

export const checkCommand: Command = {
  name: "check",
  usage: `Usage: tlbkata check [KATA] [--trace] [--ktap]

Run the visible tests of KATA (a number such as 05, or a name), or of every kata, on
your file, and explain each failure: the rule that broke, the step, the address.

Options:
${formatOptions(CHECK_OPTIONS)}

Exit status: 0 every test passes, 1 some fail, 2 bad usage or input.`,
  async run(argv, io) {
    const { options, positionals } = parseArgs(argv, CHECK_OPTIONS, "check");
    if (options.help) return usage(io, checkCommand);
    if (positionals.length > 1) throw new UsageError(`check takes at most one KATA, got: ${positionals.join(" ")}`);
    const root = courseRoot();
    const katas = positionals.length ? [kataNamed(positionals[0]!, root)] : allKatas(root);
    const runs: { kata: KataInfo; result: JobResult }[] = [];
    const present = katas.filter((k) => positionals.length > 0 || fs.existsSync(k.file));
    for (const kata of present) runs.push({ kata, result: await checkKata(root, kata, options.trace ?? false) });
    const types = typeErrors(present.filter((k) => fs.existsSync(k.file)).map((k) => k.file));
    for (const { kata, result } of runs) {
      if (!options.ktap) io.out(textReport(kata, result, { traces: options.trace ?? false, color: Boolean(process.stdout.isTTY), typeErrors: types.get(path.resolve(kata.file)) }) + "\n\n");
    }
    if (options.ktap) io.out(ktapReport(runs.map((r) => ({ ...r, typeErrors: types.get(path.resolve(r.kata.file)) }))) + "\n");
    const allPass = runs.every((r) => points(r.result).passed);
    if (!options.ktap && !allPass) {
      const first = runs.find((r) => !points(r.result).passed)!;
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
    const kata = kataNamed(positionals[0]!, root);
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
    const kata = kataNamed(positionals[0]!, root);
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

// ------------------------------------------------------------------ watch

export const watchCommand: Command = {
  name: "watch",
  usage: `Usage: tlbkata watch [KATA]

Run the visible tests of KATA (by default the first kata not yet passing) each time
you save its file, and move on to the next kata when it passes. Ctrl-C to stop.`,
  run(argv, io) {
    const { options, positionals } = parseArgs(argv, HELP_ONLY, "watch");
    if (options.help) return usage(io, watchCommand);
    if (positionals.length > 1) throw new UsageError(`watch takes at most one KATA, got: ${positionals.join(" ")}`);
    const root = courseRoot();
    const katas = allKatas(root);
    let current = positionals.length ? kataNamed(positionals[0]!, root) : katas.find((k) => statusOf(root, k) !== "passing");
    if (!current) {
      io.out("Every kata passes its visible tests. Well done.\n");
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
          const r = await checkKata(root, kata);
          io.out(textReport(kata, r, { traces: false, color: tty, typeErrors: typeErrors([kata.file]).get(path.resolve(kata.file)) }) + "\n");
          if (points(r).passed) {
            const next = katas.find((k) => k.id > kata.id && statusOf(root, k) !== "passing");
            if (!next) {
              io.out(`\n${kata.id} passes, and so does every kata. Well done.\n`);
              stop();
              resolve(EXIT_OK);
              return;
            }
            io.out(`\n${kata.id} passes. Next: ${next.id} (${path.relative(process.cwd(), next.file)}). Save it to check it.\n`);
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
