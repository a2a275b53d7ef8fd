#!/usr/bin/env node
/**
 * The `tlbkata` command: dispatches to a subcommand.
 *
 * Every error is reported as one line on stderr, `tlbkata: <message>`: exit status 2
 * for bad usage or input (UsageError), 3 for anything unexpected. Set TLBKATA_DEBUG=1
 * to get the stack trace as well.
 */
import type { Command, Io } from "./command";
import { processIo } from "./command";
import { EXIT_INTERNAL, EXIT_OK, UsageError, oneLine, unknownName } from "./errors";

/** A dispatch-table entry: the command's module is loaded only when it runs. */
export interface CommandEntry {
  readonly name: string;
  /** One line for `tlbkata --help`. */
  readonly summary: string;
  load(): Promise<Command>;
}

/**
 * The subcommands, in the order `tlbkata --help` lists them. To add one, write
 * src/cli/NAME.ts exporting a Command and add an entry here. Loading is lazy, so a
 * module that fails to load (a broken scenario, say) is reported by main() as one
 * line, and only by the commands that need it.
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "explore",
    summary: "search a scenario's interleavings, with one driver, for a rule violation",
    load: async () => (await import("./explore")).exploreCommand,
  },
  {
    name: "list",
    summary: "the katas in course order, with your status and points",
    load: async () => (await import("./learner")).listCommand,
  },
  {
    name: "check",
    summary: "run a kata's visible tests on your file and explain each failure",
    load: async () => (await import("./learner")).checkCommand,
  },
  {
    name: "watch",
    summary: "re-check the current kata each time you save it; move on when it passes",
    load: async () => (await import("./learner")).watchCommand,
  },
  {
    name: "hint",
    summary: "show a kata's next hint",
    load: async () => (await import("./learner")).hintCommand,
  },
  {
    name: "reset",
    summary: "restore a kata's starter file (your version is backed up first)",
    load: async () => (await import("./learner")).resetCommand,
  },
  {
    name: "solution",
    summary: "show a kata's reference solution, once your file passes its visible tests",
    load: async () => (await import("./learner")).solutionCommand,
  },
  {
    name: "release",
    summary: "make the student release (no solutions, hidden tests or mutants)",
    load: async () => (await import("./grading")).releaseCommand,
  },
  {
    name: "grade",
    summary: "grade one submission with the hidden tests (text, json, gradescope, exercism, junit, markdown)",
    load: async () => (await import("./grading")).gradeCommand,
  },
  {
    name: "grade-class",
    summary: "grade every submission under a folder: gradebook, feedback, summary; resumable",
    load: async () => (await import("./grading")).gradeClassCommand,
  },
  {
    name: "validate",
    summary: "author check: solution passes, starter fails, every mutant caught",
    load: async () => (await import("./grading")).validateCommand,
  },
  {
    name: "gradescope",
    summary: "build a Gradescope autograder zip",
    load: async () => (await import("./grading")).gradescopeCommand,
  },
];

export function findCommand(name: string, commands: readonly CommandEntry[] = COMMANDS): CommandEntry | undefined {
  return commands.find((c) => c.name === name);
}

async function version(): Promise<string> {
  return (await import("../index")).VERSION;
}

export function usage(commands: readonly CommandEntry[] = COMMANDS): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return `Usage: tlbkata COMMAND [options]
       tlbkata COMMAND --help   (or: tlbkata help COMMAND)
       tlbkata --help | --version

Simulates how Linux keeps device TLBs (IOMMUs, accelerators) coherent with the CPU
page tables through mmu_notifiers, and searches the interleavings of kernel paths and
devices for the races that break it.

Commands:
${commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join("\n")}

Options:
  -h, --help     show this help
  -V, --version  print the version

Exit status: 0 success (no violation), 1 a violation was found, 2 bad usage or input,
3 internal error. Errors are one line on stderr; TLBKATA_DEBUG=1 adds the stack trace.`;
}

function debugging(): boolean {
  const v = process.env.TLBKATA_DEBUG;
  return v !== undefined && v !== "" && v !== "0";
}

async function dispatch(argv: readonly string[], io: Io, commands: readonly CommandEntry[]): Promise<number> {
  const first = argv[0];
  const names = commands.map((c) => c.name);
  if (first === undefined) throw new UsageError(`missing COMMAND (one of: ${names.join(", ")}); see 'tlbkata --help'`);
  if (first === "-h" || first === "--help" || first === "help") {
    const topic = argv[1];
    if (argv.length > 2) throw new UsageError(`${first} takes at most one COMMAND, got: ${argv.slice(1).join(" ")}`);
    if (topic !== undefined) {
      const c = findCommand(topic, commands);
      if (!c) throw unknownName("command", topic, names);
      io.out((await c.load()).usage + "\n");
    } else {
      io.out(usage(commands) + "\n");
    }
    return EXIT_OK;
  }
  if (first === "-V" || first === "--version") {
    if (argv.length > 1) throw new UsageError(`${first} takes no arguments`);
    io.out(`${await version()}\n`);
    return EXIT_OK;
  }
  if (first.startsWith("-")) {
    throw new UsageError(`unknown option ${first}: options go after the COMMAND (one of: ${names.join(", ")}); see 'tlbkata --help'`);
  }
  const cmd = findCommand(first, commands);
  if (!cmd) throw unknownName("command", first, names);
  return (await cmd.load()).run(argv.slice(1), io);
}

/** Run the CLI; returns the exit status. Never throws. `commands` is for tests. */
export async function main(argv: readonly string[], io: Io = processIo, commands: readonly CommandEntry[] = COMMANDS): Promise<number> {
  try {
    return await dispatch(argv, io, commands);
  } catch (e) {
    const debug = debugging();
    if (e instanceof UsageError) {
      io.err(`tlbkata: ${oneLine(e.message)}\n`);
      if (debug && e.stack) io.err(e.stack + "\n");
      return e.exitCode;
    }
    const msg = e instanceof Error ? e.message : String(e);
    io.err(`tlbkata: internal error: ${oneLine(msg)}${debug ? "" : " (TLBKATA_DEBUG=1 shows the stack trace)"}\n`);
    if (debug) io.err(`${e instanceof Error && e.stack ? e.stack : String(e)}\n`);
    return EXIT_INTERNAL;
  }
}

/** Run as the `tlbkata` program on process.argv (src/bin/tlbkata.js calls this). */
export function runProgram(): void {
  // A closed pipe (`tlbkata explore --list | head -1`) is not an error.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") process.stderr.write(`tlbkata: cannot write the output: ${oneLine(e.message)}\n`);
    process.exit(e.code === "EPIPE" ? (process.exitCode ?? EXIT_OK) : EXIT_INTERNAL);
  });
  void main(process.argv.slice(2)).then((status) => {
    process.exitCode = status;
  });
}

if (typeof require !== "undefined" && require.main === module) runProgram();
