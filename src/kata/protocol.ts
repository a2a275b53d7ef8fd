/**
 * What a kata worker process tells its parent: one JSON line per event on fd 3, each
 * signed with an HMAC under a key the parent sends on stdin before any learner code
 * is loaded. A line the learner's code forges (without the key) is ignored.
 * Everything on the channel is untrusted bytes to the parent: decodeEvent checks the
 * signature, the size and the shape of each event, and returns data only (no score:
 * the parent scores from the plan it got before the learner's code was loaded).
 *
 * A worker runs one or more *units* (a kata's suites on one implementation), one
 * after the other; cases are numbered across all units.
 */
import * as crypto from "crypto";
import type { CaseResult } from "./runner";

export interface PlannedCase {
  readonly suite: string;
  readonly name: string;
  readonly points: number;
}

export type WorkerEvent =
  | { readonly t: "plan"; readonly units: readonly (readonly PlannedCase[])[] }
  | { readonly t: "loading"; readonly u: number }
  | { readonly t: "load-error"; readonly u: number; readonly message: string }
  | { readonly t: "loaded"; readonly u: number }
  | { readonly t: "start"; readonly i: number }
  | { readonly t: "case"; readonly i: number; readonly result: CaseResult; readonly trace?: string }
  | { readonly t: "done" }
  /** Between katas: start a fresh worker from unit `u` (the previous kata's code left too much memory behind). */
  | { readonly t: "fresh"; readonly u: number };

/** One kata's suites, to run on one implementation. */
export interface WorkerSpec {
  /** The learner's (or solution's, or mutant's) file. */
  readonly impl: string;
  readonly kataId: string;
  /** Names the module must export. */
  readonly exports: readonly string[];
  /** Suite files, in order. */
  readonly suites: readonly string[];
  /** Attach the counterexample trace (text) to failures. */
  readonly traces: boolean;
  /** The kata's README rules by rule id (KataInfo.readmeRules): a failure under one cites it. */
  readonly readmeRules?: Readonly<Record<string, string>>;
}

/** Code compiled by the parent, for a worker that may not read the files themselves. */
export interface CompiledModule {
  /** The path the module pretends to have (for stack traces and relative names). */
  readonly path: string;
  /** CommonJS JavaScript, or null when the source did not compile. */
  readonly js: string | null;
  /** Why it did not compile (a one-line LoadError message). */
  readonly error?: string;
}

export interface CompiledUnit {
  readonly suites: readonly CompiledModule[];
  readonly impl: CompiledModule;
  /** Trusted code only: .ts files the implementation imports by relative path (a mutant imports the solution). */
  readonly deps: readonly CompiledModule[];
}

export interface WorkerInput {
  readonly key: string;
  readonly units: readonly WorkerSpec[];
  readonly compiled: readonly CompiledUnit[];
  /** .ts files the suites import by relative path (helpers beside the hidden tests). */
  readonly suiteDeps: readonly CompiledModule[];
  /** Untrusted implementations: confined (no Node APIs, only the simulation), with the intrinsics locked down. */
  readonly confine: boolean;
  /** First case to run, counted across units (after a failure the parent restarts past it). */
  readonly from: number;
}

export function sign(key: Buffer, body: string): string {
  return crypto.createHmac("sha256", key).update(body).digest("hex");
}

/** A signed line: "<hmac> <json>". */
export function encodeEvent(key: Buffer, e: WorkerEvent): string {
  const body = JSON.stringify(e);
  return `${sign(key, body)} ${body}\n`;
}

/** Longest message or trace text kept from a worker, characters. */
export const MAX_TEXT = 4000;
/** Longest event line accepted, bytes: a worker that sends more is stopped. */
export const MAX_LINE = 1 << 20;

/**
 * Text from a worker, made safe for a terminal and a results file: control characters
 * (ANSI escape sequences among them) and unpaired surrogates removed, cut to `max`.
 */
export function cleanText(s: string, max = MAX_TEXT): string {
  // eslint-disable-next-line no-control-regex
  const t = s.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, "").replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, "").replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
  return t.length > max ? `${t.slice(0, max)}... (cut at ${max} characters)` : t;
}

const isIndex = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isText = (v: unknown): v is string => typeof v === "string";
const optText = (v: unknown): boolean => v === undefined || isText(v);

/** A CaseResult as data: only the fields the parent uses, checked. */
function checkResult(r: unknown): CaseResult | null {
  if (!r || typeof r !== "object") return null;
  const o = r as Record<string, unknown>;
  if (typeof o.ok !== "boolean" || !optText(o.message) || !optText(o.rule) || typeof o.ms !== "number") return null;
  if (o.rule !== undefined && !/^[a-z0-9-]{1,64}$/.test(o.rule as string)) return null;
  return {
    suite: "",
    name: "",
    points: 0,
    score: 0,
    ok: o.ok,
    ms: Number.isFinite(o.ms) ? (o.ms as number) : 0,
    ...(o.message !== undefined ? { message: cleanText(o.message as string) } : {}),
    ...(o.rule !== undefined ? { rule: o.rule as CaseResult["rule"] } : {}),
  };
}

function checkPlan(units: unknown): PlannedCase[][] | null {
  if (!Array.isArray(units) || units.length > 1000) return null;
  const out: PlannedCase[][] = [];
  for (const u of units) {
    if (!Array.isArray(u) || u.length > 100_000) return null;
    const cases: PlannedCase[] = [];
    for (const c of u) {
      if (!c || typeof c !== "object") return null;
      const { suite, name, points } = c as Record<string, unknown>;
      if (!isText(suite) || !isText(name) || typeof points !== "number" || !(points > 0) || !Number.isFinite(points)) return null;
      cases.push({ suite: cleanText(suite, 200), name: cleanText(name, 500), points });
    }
    out.push(cases);
  }
  return out;
}

/** An event as data, or null when its shape is not one the protocol has. */
export function checkEvent(e: unknown): WorkerEvent | null {
  if (!e || typeof e !== "object") return null;
  const o = e as Record<string, unknown>;
  switch (o.t) {
    case "plan": {
      const units = checkPlan(o.units);
      return units ? { t: "plan", units } : null;
    }
    case "loading":
    case "loaded":
      return isIndex(o.u) ? { t: o.t, u: o.u } : null;
    case "load-error":
      return isIndex(o.u) && isText(o.message) ? { t: "load-error", u: o.u, message: cleanText(o.message) } : null;
    case "start":
      return isIndex(o.i) ? { t: "start", i: o.i } : null;
    case "case": {
      const result = checkResult(o.result);
      if (!isIndex(o.i) || !result || !optText(o.trace)) return null;
      return { t: "case", i: o.i, result, ...(o.trace !== undefined ? { trace: cleanText(o.trace as string, 64_000) } : {}) };
    }
    case "done":
      return { t: "done" };
    case "fresh":
      return isIndex(o.u) ? { t: "fresh", u: o.u } : null;
    default:
      return null;
  }
}

const MAC = /^[0-9a-f]{64}$/;

/** The event on a signed line (bytes, without the newline), or null if it is not signed with `key` or not an event. */
export function decodeEvent(key: Buffer, line: Buffer | string): WorkerEvent | null {
  const bytes = typeof line === "string" ? Buffer.from(line, "utf8") : line;
  if (bytes.length > MAX_LINE || bytes.length < 66 || bytes[64] !== 0x20) return null;
  const mac = bytes.subarray(0, 64).toString("latin1");
  if (!MAC.test(mac)) return null;
  const raw = bytes.subarray(65);
  // Signed as the worker's UTF-8; bytes that are not valid UTF-8 cannot be a line the worker signed.
  const body = raw.toString("utf8");
  if (!Buffer.from(body, "utf8").equals(raw)) return null;
  if (!crypto.timingSafeEqual(Buffer.from(mac, "latin1"), Buffer.from(sign(key, body), "latin1"))) return null;
  try {
    return checkEvent(JSON.parse(body));
  } catch {
    return null;
  }
}
