/**
 * A learner's progress, kept in .tlbkata/progress.json in the course folder: hints
 * shown and the last check of each kata (with the hash of the file it checked, so
 * an edit since makes the status "edited"). Written atomically (temp file + rename).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/** One test of a check: its name, whether it passed, and a hash of its feedback (to tell new feedback from the same). */
export interface CaseOutcome {
  name: string;
  ok: boolean;
  feedback?: string;
}

export interface CheckRecord {
  sha256: string;
  passed: boolean;
  score: number;
  max: number;
  at: string;
  cases?: CaseOutcome[];
}

export interface KataProgress {
  hintsShown: number;
  /** The last run of the visible tests. */
  lastCheck?: CheckRecord;
  /** The last run of the hidden tests (`check --full`, in a checkout that has them). */
  lastFull?: CheckRecord;
}

export interface Progress {
  katas: Record<string, KataProgress>;
}

export function progressFile(root: string): string {
  return path.join(root, ".tlbkata", "progress.json");
}

export function readProgress(root: string): Progress {
  try {
    const p = JSON.parse(fs.readFileSync(progressFile(root), "utf8")) as Progress;
    if (p && typeof p.katas === "object") return p;
  } catch {
    // Missing or unreadable: start afresh (the file only caches what checks can recompute).
  }
  return { katas: {} };
}

export function writeProgress(root: string, p: Progress): void {
  const file = progressFile(root);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(p, null, 2) + "\n");
  fs.renameSync(tmp, file);
}

export function kataProgress(p: Progress, id: string): KataProgress {
  return (p.katas[id] ??= { hintsShown: 0 });
}

export function sha256File(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** A short hash of a feedback text. */
export function feedbackHash(text: string): string {
  return crypto.createHash("sha256").update(text).digest("hex").slice(0, 16);
}
