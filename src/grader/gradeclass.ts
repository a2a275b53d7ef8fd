/**
 * Grade a whole class: every submission folder under a root, `jobs` at a time. Each
 * finished submission's result is written at once (temp file + rename), so a run
 * that is interrupted and started again grades only what is left. At the end: a CSV
 * gradebook, per-student Markdown feedback and a JSON summary.
 */
import * as fs from "fs";
import * as path from "path";
import type { KataInfo } from "../kata/catalog";
import { gradeSubmission, pool, type SubmissionResult } from "./grade";
import { toMarkdown } from "./formats";
import { writeAtomic } from "./files";
import type { Isolation } from "../kata/sandbox";

/** Marks an output folder as grade-class's, so a rerun may write into it. */
export const CLASS_MARKER = ".tlbkata-grade-class";

export interface ClassOptions {
  readonly root: string;
  readonly katas: readonly KataInfo[];
  readonly jobs: number;
  readonly caseTimeoutMs?: number;
  readonly kataTimeoutMs?: number;
  readonly memoryMb?: number;
  readonly isolation?: Isolation;
  readonly onProgress?: (done: number, total: number, student: string, r: SubmissionResult, resumed: boolean) => void;
}

export interface ClassSummary {
  readonly students: number;
  readonly graded: number;
  readonly resumed: number;
  readonly max: number;
  readonly mean: number;
  readonly ms: number;
  /** Entries of ROOT that were not graded, and why. */
  readonly skipped: readonly { readonly name: string; readonly why: string }[];
}

/** Submission folders: the directories directly under `classRoot`, by name. */
export function studentsIn(classRoot: string): string[] {
  return classEntries(classRoot).students;
}

/**
 * What ROOT holds: the student folders, and what is not graded (a symbolic link, a
 * hidden folder, a file), so that it can be reported rather than skipped silently.
 */
export function classEntries(classRoot: string): { students: string[]; skipped: { name: string; why: string }[] } {
  const students: string[] = [];
  const skipped: { name: string; why: string }[] = [];
  for (const e of fs.readdirSync(classRoot, { withFileTypes: true })) {
    if (e.isSymbolicLink()) skipped.push({ name: e.name, why: "a symbolic link (copy the folder itself into ROOT)" });
    else if (!e.isDirectory()) skipped.push({ name: e.name, why: "not a folder" });
    else if (e.name.startsWith(".")) skipped.push({ name: e.name, why: "a hidden folder (rename it without the leading dot to grade it)" });
    else students.push(e.name);
  }
  return { students: students.sort(), skipped: skipped.sort((a, b) => a.name.localeCompare(b.name)) };
}

function readDone(file: string): SubmissionResult | null {
  try {
    const r = JSON.parse(fs.readFileSync(file, "utf8")) as SubmissionResult;
    return typeof r.score === "number" && Array.isArray(r.katas) ? r : null;
  } catch {
    return null;
  }
}

const csvField = (s: string | number): string => {
  const t = String(s);
  // A leading = + - @ would be a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(t) ? `'${t}` : t;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export async function gradeClass(classRoot: string, out: string, o: ClassOptions): Promise<ClassSummary> {
  const t0 = Date.now();
  fs.mkdirSync(path.join(out, "results"), { recursive: true });
  fs.writeFileSync(path.join(out, CLASS_MARKER), "tlbkata grade-class output\n");
  const { students, skipped } = classEntries(classRoot);
  let done = 0;
  let resumed = 0;
  const results = await pool(students, o.jobs, async (student) => {
    const file = path.join(out, "results", `${student}.json`);
    const prev = readDone(file);
    let r: SubmissionResult;
    if (prev) {
      r = prev;
      resumed++;
    } else {
      r = await gradeSubmission(path.join(classRoot, student), { root: o.root, katas: o.katas, jobs: 1, caseTimeoutMs: o.caseTimeoutMs, kataTimeoutMs: o.kataTimeoutMs, memoryMb: o.memoryMb, cacheDir: path.join(out, "cache"), isolation: o.isolation });
      r = { ...r, submission: student };
      writeAtomic(path.join(out, "feedback", `${student}.md`), toMarkdown(r));
      writeAtomic(file, JSON.stringify(r, null, 2) + "\n");
    }
    o.onProgress?.(++done, students.length, student, r, Boolean(prev));
    return r;
  });
  const header = ["student", "score", "max", ...o.katas.map((k) => k.id)];
  const rows = results.map((r) => [r.submission, r.score, r.max, ...o.katas.map((k) => r.katas.find((x) => x.id === k.id)?.score ?? 0)]);
  writeAtomic(path.join(out, "gradebook.csv"), [header, ...rows].map((row) => row.map(csvField).join(",")).join("\n") + "\n");
  const max = results[0]?.max ?? 0;
  const summary: ClassSummary = {
    students: students.length,
    graded: students.length - resumed,
    resumed,
    max,
    mean: results.length ? results.reduce((n, r) => n + r.score, 0) / results.length : 0,
    ms: Date.now() - t0,
    skipped,
  };
  writeAtomic(path.join(out, "summary.json"), JSON.stringify({ ...summary, scores: Object.fromEntries(results.map((r) => [r.submission, r.score])) }, null, 2) + "\n");
  return summary;
}
