/**
 * The instructor's commands: `release`, `grade`, `grade-class`, `validate` and
 * `gradescope`. Grading runs the hidden tests on untrusted code in sandboxed workers;
 * exit status 0 means grading ran (whatever the score).
 */
import * as fs from "fs";
import * as path from "path";
import type { KataInfo } from "../kata/catalog";
import { gradeSubmission, checkIsolation, IsolationError } from "../grader/grade";
import type { Isolation } from "../kata/sandbox";
import { cleanText } from "../kata/protocol";
import { FORMATS, render, type Format } from "../grader/formats";
import { makeRelease } from "../grader/release";
import { gradeClass, CLASS_MARKER, classEntries } from "../grader/gradeclass";
import { validateKata, validationSummary } from "../grader/validate";
import { makeAutograder } from "../grader/autograder";
import { writeAtomic, isOursOrEmpty } from "../grader/files";
import { parseArgs, formatOptions, type OptionSpecs } from "./args";
import type { Command, Io } from "./command";
import { EXIT_OK, EXIT_VIOLATION, UsageError, unknownName } from "./errors";
import { courseRoot, allKatas, kataNamed } from "./course";

function usage(io: Io, c: Command): number {
  io.out(c.usage + "\n");
  return EXIT_OK;
}

function dirArg(p: string, what: string): string {
  if (!fs.existsSync(p)) throw new UsageError(`${what} ${p} does not exist`);
  if (!fs.statSync(p).isDirectory()) throw new UsageError(`${what} ${p} is not a directory`);
  return path.resolve(p);
}

function gradable(root: string, only?: string): KataInfo[] {
  const katas = only ? [kataNamed(only, root)] : allKatas(root);
  const missing = katas.filter((k) => !k.hidden.length);
  if (missing.length) {
    const which = missing.length === katas.length && katas.length > 1 ? "no kata has" : `${missing.map((k) => k.id).join(", ")} ${missing.length === 1 ? "has" : "have"}`;
    throw new UsageError(`${which} hidden tests here: grade from the instructor's copy of the course, not a student release`);
  }
  return katas;
}

/** Write `text` to `file`, refusing to replace an existing file unless `force`. */
function writeOut(file: string, text: string, force: boolean): void {
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir)) throw new UsageError(`--out ${file}: directory ${dir} does not exist`);
  if (fs.existsSync(file) && !force) throw new UsageError(`--out ${file} already exists; give --force to replace it`);
  writeAtomic(file, text);
}

// ------------------------------------------------------------------ grade

function limitsOf(o: { "test-timeout"?: number; "kata-timeout"?: number; memory?: number }) {
  return {
    caseTimeoutMs: o["test-timeout"] !== undefined ? o["test-timeout"] * 1000 : undefined,
    kataTimeoutMs: o["kata-timeout"] !== undefined ? o["kata-timeout"] * 1000 : undefined,
    memoryMb: o.memory,
  };
}

const ISOLATIONS = ["namespaces", "user"] as const;

/** How submissions are isolated, from --isolation and --trusted; refuses (one line, exit 2) when this machine cannot. */
function isolationOf(o: { isolation?: string; trusted?: boolean }): Isolation {
  if (o.trusted && o.isolation) throw new UsageError("--trusted and --isolation exclude each other: --trusted runs the code without isolation");
  if (o.trusted) return "none";
  const iso = (o.isolation ?? "namespaces") as Isolation;
  if (!(ISOLATIONS as readonly string[]).includes(iso)) throw unknownName("isolation", iso, ISOLATIONS);
  try {
    checkIsolation(iso);
  } catch (e) {
    if (e instanceof IsolationError) throw new UsageError(e.message);
    throw e;
  }
  return iso;
}

/** The sandbox's limits, the same for grade and grade-class. */
const LIMIT_OPTIONS = {
  isolation: { type: "string", value: "HOW", help: "namespaces (bubblewrap: the default) or user (an unprivileged user and kernel limits, where namespaces are refused; root only)" },
  trusted: { type: "boolean", help: "run the code without OS isolation: only for code you trust" },
  "test-timeout": { type: "integer", value: "S", min: 1, help: "seconds a hidden test may take (default 20)" },
  "kata-timeout": { type: "integer", value: "S", min: 1, help: "seconds all of a kata's tests may take (default 120)" },
  memory: { type: "integer", value: "MB", min: 64, help: "memory limit of each kata's process, in MiB (default 512)" },
} as const satisfies OptionSpecs;

const GRADE_OPTIONS = {
  kata: { type: "string", value: "K", help: "grade only this kata" },
  format: { type: "string", value: "F", help: `output format: ${FORMATS.join(", ")} (default text)` },
  out: { type: "string", value: "FILE", help: "write the result to FILE instead of standard output" },
  force: { type: "boolean", help: "with --out: replace FILE if it exists" },
  jobs: { type: "integer", value: "N", min: 1, max: 64, help: "katas graded at once (default 2)" },
  ...LIMIT_OPTIONS,

  help: { type: "boolean", short: "h", help: "show this help" },
} as const satisfies OptionSpecs;

export const gradeCommand: Command = {
  name: "grade",
  usage: `Usage: tlbkata grade SUBMISSION [--kata K] [--format F] [--out FILE [--force]] [--jobs N]
                     [--isolation HOW | --trusted] [--test-timeout S] [--kata-timeout S] [--memory MB]

Grade one submission with the hidden tests. SUBMISSION is a student release folder
with the learner's files, or a folder holding just the edited kata files. Each kata
runs isolated (bubblewrap: no network, no files but the simulation, an unprivileged
user, kernel limits), with a time limit per test and a memory limit; partial credit
per test. Where the machine cannot isolate, grade refuses unless told how.

Options:
${formatOptions(GRADE_OPTIONS)}

Exit status: 0 grading ran (whatever the score), 2 bad usage or input, 3 the grader failed.`,
  async run(argv, io) {
    const { options, positionals } = parseArgs(argv, GRADE_OPTIONS, "grade");
    if (options.help) return usage(io, gradeCommand);
    if (positionals.length !== 1) throw new UsageError(`grade takes one SUBMISSION folder, got ${positionals.length}`);
    const format = (options.format ?? "text") as Format;
    if (!FORMATS.includes(format)) throw unknownName("format", format, FORMATS);
    if (options.force && !options.out) throw new UsageError("--force applies only with --out FILE");
    const dir = dirArg(positionals[0]!, "SUBMISSION");
    const root = courseRoot();
    const katas = gradable(root, options.kata);
    const isolation = isolationOf(options);
    const r = await gradeSubmission(dir, { root, katas, jobs: options.jobs ?? 2, isolation, ...limitsOf(options) });
    const text = render(r, format);
    if (options.out) writeOut(options.out, text, options.force ?? false);
    else io.out(text);
    return EXIT_OK;
  },
};

// ------------------------------------------------------------------ grade-class

const CLASS_OPTIONS = {
  out: { type: "string", value: "DIR", help: "where results, feedback, gradebook.csv and summary.json go (required)" },
  kata: { type: "string", value: "K", help: "grade only this kata (one assignment of the course)" },
  jobs: { type: "integer", value: "N", min: 1, max: 64, help: "submissions graded at once (default 2)" },
  ...LIMIT_OPTIONS,

  help: { type: "boolean", short: "h", help: "show this help" },
} as const satisfies OptionSpecs;

export const gradeClassCommand: Command = {
  name: "grade-class",
  usage: `Usage: tlbkata grade-class ROOT --out DIR [--kata K] [--jobs N] [--isolation HOW | --trusted]
                           [--test-timeout S] [--kata-timeout S] [--memory MB]

Grade every submission folder directly under ROOT (one folder per student). Writes
DIR/results/STUDENT.json, DIR/feedback/STUDENT.md, DIR/gradebook.csv and
DIR/summary.json. Interrupted and run again, it grades only what is left.

Options:
${formatOptions(CLASS_OPTIONS)}`,
  async run(argv, io) {
    const { options, positionals } = parseArgs(argv, CLASS_OPTIONS, "grade-class");
    if (options.help) return usage(io, gradeClassCommand);
    if (positionals.length !== 1) throw new UsageError(`grade-class takes one ROOT folder, got ${positionals.length}`);
    if (!options.out) throw new UsageError("missing --out DIR: where should the gradebook go?");
    const classRoot = dirArg(positionals[0]!, "ROOT");
    const out = path.resolve(options.out);
    if (!isOursOrEmpty(out, CLASS_MARKER)) throw new UsageError(`--out ${options.out} is not empty and not a grade-class output folder; choose another`);
    if (out === classRoot || out.startsWith(classRoot + path.sep)) throw new UsageError(`--out ${options.out} is inside ROOT; put the results elsewhere`);
    const entries = classEntries(classRoot);
    const total = entries.students.length;
    for (const s of entries.skipped) io.err(`not graded: ${cleanText(s.name, 200)}: ${s.why}\n`);
    if (!total) throw new UsageError(`ROOT ${positionals[0]} has no submission folders`);
    const root = courseRoot();
    const katas = gradable(root, options.kata);
    const isolation = isolationOf(options);
    const tty = Boolean(process.stderr.isTTY);
    const t0 = Date.now();
    const summary = await gradeClass(classRoot, out, {
      root,
      katas,
      jobs: options.jobs ?? 2,
      isolation,
      ...limitsOf(options),
      onProgress(done, n, student, r, resumed) {
        if (tty) {
          const w = 30;
          const fill = Math.round((done / n) * w);
          const eta = done ? Math.round(((Date.now() - t0) / done) * (n - done) / 1000) : 0;
          process.stderr.write(`\r[${"#".repeat(fill)}${"-".repeat(w - fill)}] ${done}/${n} graded, about ${eta} s left `);
          if (done === n) process.stderr.write("\n");
        } else {
          io.err(`${done}/${n} ${cleanText(student, 200)}: ${r.score}/${r.max}${resumed ? " (already graded)" : ""}\n`);
        }
      },
    });
    io.out(`${summary.students} submissions (${summary.graded} graded now, ${summary.resumed} already done${summary.skipped.length ? `, ${summary.skipped.length} entries of ROOT not graded` : ""}), mean ${summary.mean.toFixed(1)}/${summary.max}; gradebook: ${path.join(options.out, "gradebook.csv")}\n`);
    return EXIT_OK;
  },
};

// ------------------------------------------------------------------ release

export const releaseCommand: Command = {
  name: "release",
  usage: `Usage: tlbkata release --out DIR

Make the student release in DIR (which must not exist or be empty): notebooks, katas
with their starters, visible tests and hints, the simulation package; no solutions,
no hidden tests, no mutants. DIR/release-manifest.json has the checksum of every
file a learner must not edit.`,
  run(argv, io) {
    const { options, positionals } = parseArgs(argv, { out: { type: "string", value: "DIR", help: "" }, help: { type: "boolean", short: "h", help: "" } }, "release");
    if (options.help) return usage(io, releaseCommand);
    if (positionals.length) throw new UsageError(`release takes no arguments, got: ${positionals.join(" ")}`);
    if (!options.out) throw new UsageError("missing --out DIR: where should the student release go?");
    const out = path.resolve(options.out);
    if (fs.existsSync(out) && (!fs.statSync(out).isDirectory() || fs.readdirSync(out).length)) throw new UsageError(`--out ${options.out} exists and is not an empty directory`);
    const root = courseRoot();
    if (out === root || out.startsWith(root + path.sep + "katas") || out.startsWith(root + path.sep + "src")) throw new UsageError(`--out ${options.out} is inside the course's own folders; choose a folder elsewhere`);
    const s = makeRelease(root, out, allKatas(root));
    io.out(`student release in ${options.out}: ${s.files} files, ${s.katas} katas (no solutions, hidden tests or mutants)\n`);
    return EXIT_OK;
  },
};

// ------------------------------------------------------------------ validate

export const validateCommand: Command = {
  name: "validate",
  usage: `Usage: tlbkata validate [KATA]

The author's check, after editing or adding a kata: the reference solution (and its
variants) pass every test, the untouched starter earns no point, every hand-written
mutant fails at least one hidden test, and every hidden test fails on some mutant.
Prints, per kata: the mutants caught, the hidden tests no mutant fails, the points the
starter earns, and which hidden test catches which mutant.

Exit status: 0 every kata checked is sound, 1 a problem was found.`,
  async run(argv, io) {
    const { options, positionals } = parseArgs(argv, { help: { type: "boolean", short: "h", help: "" } }, "validate");
    if (options.help) return usage(io, validateCommand);
    if (positionals.length > 1) throw new UsageError(`validate takes at most one KATA`);
    const root = courseRoot();
    const katas = positionals.length ? [kataNamed(positionals[0]!, root)] : allKatas(root);
    if (!katas.length) throw new UsageError(`no katas in ${path.join(root, "katas")}: nothing to validate`);
    const whyOf = (f: string) => (fs.readFileSync(f, "utf8").split("\n").find((l) => l.startsWith("//")) ?? "").replace(/^\/\/\s*(Wrong:\s*)?/, "");
    let sound = true;
    for (const k of katas) {
      const v = await validateKata(k, whyOf);
      io.out(`${k.id}: ${v.problems.length ? "PROBLEMS" : "sound"}\n`);
      for (const line of validationSummary(v)) io.out(`  ${line}\n`);
      for (const p of v.problems) io.out(`  ! ${p}\n`);
      const w = Math.max(6, ...v.mutants.map((m) => m.name.length));
      for (const m of v.mutants) io.out(`  ${m.name.padEnd(w)}  ${!m.loads ? "DOES NOT LOAD" : m.caughtBy.length ? `caught by ${m.caughtBy[0]}${m.caughtBy.length > 1 ? ` (+${m.caughtBy.length - 1})` : ""}` : "SURVIVES"}  (${m.why})\n`);
      sound &&= v.problems.length === 0;
    }
    return sound ? EXIT_OK : EXIT_VIOLATION;
  },
};

// ------------------------------------------------------------------ gradescope

export const gradescopeCommand: Command = {
  name: "gradescope",
  usage: `Usage: tlbkata gradescope --out autograder.zip [--force]

Build a Gradescope autograder: setup.sh, run_autograder and the grader with the
hidden tests. Upload the zip as the assignment's autograder; each submission is
graded into /autograder/results/results.json.`,
  run(argv, io) {
    const { options, positionals } = parseArgs(argv, { out: { type: "string", value: "FILE", help: "" }, force: { type: "boolean", help: "" }, help: { type: "boolean", short: "h", help: "" } }, "gradescope");
    if (options.help) return usage(io, gradescopeCommand);
    if (positionals.length) throw new UsageError(`gradescope takes no arguments, got: ${positionals.join(" ")}`);
    if (!options.out) throw new UsageError("missing --out FILE (for example --out autograder.zip)");
    const root = courseRoot();
    gradable(root);
    const z = makeAutograder(root);
    const dir = path.dirname(path.resolve(options.out));
    if (!fs.existsSync(dir)) throw new UsageError(`--out ${options.out}: directory ${dir} does not exist`);
    if (fs.existsSync(options.out) && !options.force) throw new UsageError(`--out ${options.out} already exists; give --force to replace it`);
    writeAtomic(options.out, z.zip);
    io.out(`${options.out}: Gradescope autograder, ${z.files.length} files, ${(z.zip.length / 1024).toFixed(0)} KiB\n`);
    return EXIT_OK;
  },
};
