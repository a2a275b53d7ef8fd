/**
 * What a subcommand module exports: its help text and a run function that returns the
 * exit status. main.ts's dispatch table names it, with a one-line summary, and loads
 * the module when the command runs.
 */

/** Where a command writes. main() passes the process's streams; tests may capture. */
export interface Io {
  /** Write to standard output (the caller adds newlines). */
  out(text: string): void;
  /** Write to standard error. */
  err(text: string): void;
}

export interface Command {
  readonly name: string;
  /** Full help for `tlbkata NAME --help`, without a trailing newline. */
  readonly usage: string;
  /**
   * Run with the arguments after the command name; returns the exit status (see
   * errors.ts). Throw UsageError for bad usage or input.
   */
  run(argv: readonly string[], io: Io): number | Promise<number>;
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};
