/**
 * What a kata worker process tells its parent: one JSON line per event on fd 3, each
 * signed with an HMAC under a key the parent sends on stdin before any learner code
 * is loaded. A line the learner's code forges (without the key) is ignored.
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
  | { readonly t: "done" };

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
  /** Sandboxed: the only place packages resolve from. Trusted: null (normal resolution). */
  readonly nodeModules: string | null;
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

/** The event on a signed line, or null if the line is not signed with `key`. */
export function decodeEvent(key: Buffer, line: string): WorkerEvent | null {
  const sp = line.indexOf(" ");
  if (sp !== 64) return null;
  const mac = line.slice(0, sp);
  const body = line.slice(sp + 1);
  const want = sign(key, body);
  if (!crypto.timingSafeEqual(Buffer.from(mac), Buffer.from(want))) return null;
  try {
    return JSON.parse(body) as WorkerEvent;
  } catch {
    return null;
  }
}
