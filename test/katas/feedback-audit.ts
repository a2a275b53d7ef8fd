/**
 * What the feedback of a failed hidden test must never do, and must always do, checked
 * over the messages a kata's mutants get (test/katas/katas.test.ts runs them; the
 * messages are the ones the grader shows, built by the same runner): name a hidden
 * file or line, quote hidden test code, give away an answer the kata asks for (kata
 * 03's diagnosis), or blame tlb_flush_mmu_tlbonly for a stale entry found at exit,
 * where release was the driver's last chance. `npm run feedback:audit` prints them all.
 */
import * as fs from "fs";
import * as path from "path";
import type { KataInfo } from "tlbkata";

export interface Feedback {
  readonly suite: string;
  readonly name: string;
  readonly message: string;
  readonly rule?: string;
}

/** Hidden test source as code only: comments dropped, string and template contents blanked. */
export function codeOnly(source: string): string {
  let out = "";
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "/" && source[i + 1] === "/") {
      while (i < source.length && source[i] !== "\n") i++;
      out += "\n";
      continue;
    }
    if (c === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      const skipped = source.slice(i, end < 0 ? source.length : end + 2);
      out += skipped.replace(/[^\n]/g, "");
      i = end < 0 ? source.length : end + 1;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") {
      out += c;
      for (i++; i < source.length && source[i] !== c; i++) {
        if (source[i] === "\\") i++;
        else if (source[i] === "\n") out += "\n";
      }
      out += c;
      continue;
    }
    out += c;
  }
  return out;
}

export interface HiddenSource {
  /** Basenames of the hidden files ("rules.ts"). */
  readonly files: readonly string[];
  /** Lines of hidden code (strings blanked) long enough to be recognised when quoted. */
  readonly lines: readonly string[];
  /** Expressions of the hidden code (a.b.c, a[0].b) a JavaScript error could quote. */
  readonly expressions: ReadonlySet<string>;
}

export function hiddenSource(kata: KataInfo): HiddenSource {
  const code = kata.hidden.map((f) => codeOnly(fs.readFileSync(f, "utf8"))).join("\n");
  const lines = [...new Set(code.split("\n").map((l) => l.trim()))].filter((l) => l.length >= 24 && /[A-Za-z]/.test(l));
  const expressions = new Set(code.match(/[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*|\[[^\]\n]{1,20}\])+/g) ?? []);
  return { files: kata.hidden.map((f) => path.basename(f)), lines, expressions };
}

/** What JavaScript quotes of the code that threw ("x.y is not a function"). */
const QUOTED = /([A-Za-z_$][\w$.[\]?]*) is (?:not a function|not iterable|not a constructor|undefined|null)/g;

/**
 * Problems with one failed test's feedback, one line each; a failure under a rule the
 * kata's README forbids (kata.json's readmeRules) must cite that README rule. `own` is the file graded (its
 * basename and source): what it names or quotes of itself is the learner's own.
 */
export function feedbackProblems(kata: KataInfo, hidden: HiddenSource, own: { readonly file: string; readonly source: string }, f: Feedback): string[] {
  const out: string[] = [];
  const where = `${f.suite} / ${f.name}`;
  const m = f.message;
  for (const file of hidden.files) {
    if (file === own.file) continue;
    if (new RegExp(`(^|[^\\w-])${file.replace(/\./g, "\\.")}\\b`).test(m)) out.push(`${where}: names the hidden file ${file}`);
  }
  if (/(^|[/\s(])hidden\//.test(m)) out.push(`${where}: names a path under hidden/`);
  for (const line of hidden.lines) if (m.includes(line)) out.push(`${where}: quotes hidden test code: ${line}`);
  for (const q of m.matchAll(QUOTED)) if (hidden.expressions.has(q[1]!) && !own.source.includes(q[1]!)) out.push(`${where}: quotes the hidden expression ${q[1]}`);
  if (f.rule && kata.readmeRules[f.rule] && !m.includes(`README.md, ${kata.readmeRules[f.rule]}`)) out.push(`${where}: breaks a rule the README forbids (${f.rule}) without citing it`);
  // A stale translation found when exit frees the pages: release was the last callback.
  if (/^\[stale-tlb-at-free\] on the exit[\w-]* scenario/.test(m)) {
    if (!/at exit: exit_mmap's mmu_notifier_release is a subscription's last callback/.test(m)) out.push(`${where}: a stale entry found at exit does not name exit's path (mmu_notifier_release)`);
    if (/\(tlb_flush_mmu_tlbonly runs before the gathered pages are freed\)/.test(m)) out.push(`${where}: a stale entry found at exit is blamed on tlb_flush_mmu_tlbonly`);
  }
  return out;
}

/** Kata 03's diagnosis feedback must not name the page the learner must find. */
export function givesAwayPage(page: string, f: Feedback): boolean {
  return f.suite === "diagnosis" && new RegExp(`(^|[^\\w"])${page}([^\\w"]|$)|"${page}"`).test(f.message);
}
