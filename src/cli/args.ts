/**
 * A small, strict option parser for the subcommands.
 *
 * - Only declared options are accepted; anything else starting with `-` is an error.
 * - `--name value` and `--name=value`; `--` ends the options.
 * - Typed values: booleans take no value; integers must be whole numbers within
 *   [min, max]; strings are taken as given.
 * - An option given twice is an error (a typo more often than an intent).
 * - Every error is a UsageError with a one-line message naming the option.
 */
import { UsageError, suggest } from "./errors";

export type OptionSpec =
  | { readonly type: "boolean"; readonly short?: string; readonly help: string }
  | { readonly type: "string"; readonly short?: string; readonly value: string; readonly help: string }
  | {
      readonly type: "integer";
      readonly short?: string;
      readonly value: string;
      readonly help: string;
      /** Smallest accepted value (default 0: integers are non-negative unless told). */
      readonly min?: number;
      readonly max?: number;
    };

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type ValueOf<S extends OptionSpec> = S extends { type: "boolean" } ? boolean : S extends { type: "integer" } ? number : string;

/** What was given: options left out are absent (undefined). */
export type Options<T extends OptionSpecs> = { -readonly [K in keyof T]?: ValueOf<T[K]> };

export interface Parsed<T extends OptionSpecs> {
  readonly options: Options<T>;
  readonly positionals: string[];
}

const INTEGER = /^[+-]?\d+$/;

function describeRange(min: number, max: number | undefined): string {
  const base = min === 0 ? "a non-negative integer" : min === 1 ? "a positive integer" : `an integer of at least ${min}`;
  return max === undefined ? base : `${base} (at most ${max})`;
}

/** Parse and range-check an integer option value. */
export function parseInteger(flag: string, raw: string, min = 0, max?: number): number {
  const range = describeRange(min, max);
  if (!INTEGER.test(raw)) throw new UsageError(`${flag} must be ${range}, got '${raw}'`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || (max !== undefined && n > max)) {
    throw new UsageError(`${flag} must be ${range}, got ${raw}`);
  }
  return n;
}

/** Whether `token` can be the value of an option of this type, rather than the next option. */
function looksLikeValue(spec: OptionSpec, token: string): boolean {
  if (!token.startsWith("-") || token === "-") return true;
  // `--seed -1` is a (bad) value, reported as such, not "--seed needs a value".
  return spec.type === "integer" && /^-\d/.test(token);
}

/**
 * Parse `argv` against `specs`. `command` names the subcommand in messages
 * ("unknown option --foo for 'explore'").
 */
export function parseArgs<T extends OptionSpecs>(argv: readonly string[], specs: T, command: string): Parsed<T> {
  const options: Record<string, unknown> = {};
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) if (spec.short) byShort.set(spec.short, name);

  const take = (name: string, flag: string, value: unknown): void => {
    if (name in options) throw new UsageError(`${flag} given more than once`);
    options[name] = value;
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }

    let name: string;
    let inline: string | undefined;
    let flag: string;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      flag = `--${name}`;
    } else {
      const long = byShort.get(arg.slice(1));
      if (arg.length !== 2 || long === undefined) {
        throw new UsageError(`unknown option ${arg} for '${command}'; see 'tlbkata ${command} --help'`);
      }
      name = long;
      flag = arg;
    }

    const spec = Object.prototype.hasOwnProperty.call(specs, name) ? specs[name] : undefined;
    if (!spec) {
      const s = suggest(name, Object.keys(specs));
      const hint = s ? ` (did you mean --${s}?)` : "";
      throw new UsageError(`unknown option ${flag} for '${command}'${hint}; see 'tlbkata ${command} --help'`);
    }

    if (spec.type === "boolean") {
      if (inline !== undefined) throw new UsageError(`${flag} takes no value, got '${inline}'`);
      take(name, flag, true);
      continue;
    }

    let raw = inline;
    if (raw === undefined) {
      const next = argv[i + 1];
      if (next === undefined || !looksLikeValue(spec, next)) {
        throw new UsageError(`${flag} needs a value (${flag} ${spec.value})`);
      }
      raw = next;
      i++;
    }
    if (spec.type === "string") {
      if (raw === "") throw new UsageError(`${flag} needs a non-empty value (${flag} ${spec.value})`);
      take(name, flag, raw);
    } else {
      take(name, flag, parseInteger(flag, raw, spec.min ?? 0, spec.max));
    }
  }
  return { options: options as Options<T>, positionals };
}

/** Greedy word wrap of `text` to `width` columns; continuation lines get `indent`. */
function wrap(text: string, width: number, indent: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.join("\n" + " ".repeat(indent));
}

/**
 * The options part of a help text: one aligned entry per option, in declaration
 * order, help wrapped to fit `width` columns.
 */
export function formatOptions(specs: OptionSpecs, width = 80): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const short = spec.short ? `-${spec.short}, ` : "    ";
    const value = spec.type === "boolean" ? "" : ` ${spec.value}`;
    return [`${short}--${name}${value}`, spec.help] as const;
  });
  const w = Math.max(...rows.map(([l]) => l.length));
  const indent = 2 + w + 2;
  return rows.map(([l, h]) => `  ${l.padEnd(w)}  ${wrap(h, Math.max(20, width - indent), indent)}`).join("\n");
}
