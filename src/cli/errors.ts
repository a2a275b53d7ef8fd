/**
 * Errors the CLI reports as one line, `tlbkata: <message>`, and its exit statuses.
 *
 * Throw UsageError for anything the user got wrong (the command line, a file they
 * named); main() prints its message and exits 2. Any other error is a bug in tlbkata
 * or in the simulation: main() prints it as an internal error and exits 3. Neither
 * shows a stack trace unless TLBKATA_DEBUG=1.
 */

/** No violation found (or a command that succeeded). */
export const EXIT_OK = 0;
/** A rule violation was found. */
export const EXIT_VIOLATION = 1;
/** Bad usage or bad input: unknown command, scenario, driver or option, bad value, refused file. */
export const EXIT_USAGE = 2;
/** An unexpected error (a bug): reported as one line, stack trace only with TLBKATA_DEBUG=1. */
export const EXIT_INTERNAL = 3;

export class UsageError extends Error {
  readonly exitCode = EXIT_USAGE;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Flatten a message to one line (messages from deep inside may contain newlines). */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

/** `a, b, c` for lists of valid names in error messages. */
export function listNames(names: readonly string[]): string {
  return names.join(", ");
}

/** Edit distance counting an adjacent transposition as one edit (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    d.push([i]);
    for (let j = 1; j <= b.length; j++) d[i]![j] = i === 0 ? j : 0;
  }
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate to a misspelt name, if one is close enough to be worth suggesting. */
export function suggest(name: string, candidates: readonly string[]): string | undefined {
  const n = name.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const lc = c.toLowerCase();
    const d = lc.startsWith(n) && n.length >= 3 ? 0.5 : editDistance(n, lc);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(n.length / 3)));
  return bestD <= limit ? best : undefined;
}

/** `unknown scenario 'x'; did you mean 'y'? valid scenarios: ...` */
export function unknownName(what: string, name: string, valid: readonly string[], plural = `${what}s`): UsageError {
  const s = suggest(name, valid);
  const hint = s ? ` (did you mean '${s}'?)` : "";
  return new UsageError(`unknown ${what} '${name}'${hint}; valid ${plural}: ${listNames(valid)}`);
}
