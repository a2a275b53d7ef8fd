/**
 * Helpers for the driver notebooks (05-08) and the cost notebook (10):
 *
 * - kataCheck(): the notebook's check cell. Runs a kata's visible tests on the
 *   learner's file in a worker process (the same machinery as `tlbkata check`, without
 *   recording progress) and returns an HTML report. Whatever the learner's code does
 *   (fail, throw, not load, hang) is reported in the table, never thrown.
 * - cacheGrid(): which pages each translation cache holds, as a small grid.
 */
import * as fs from "fs";
import * as path from "path";
import { findKata, kataWorkerSpec, type KataInfo } from "../kata/catalog";
import { runKataJob, type JobResult } from "../kata/job";
import type { Tlb } from "../hw/tlb";
import { hex } from "../mm/constants";
import { htmlTable, raw, code, escapeHtml, type Cell } from "./html";

export interface KataCheckOptions {
  /** Time limit per visible test, in ms (default 30 s). */
  readonly caseTimeoutMs?: number;
}

export interface KataCheck {
  readonly kata: KataInfo;
  /** The worker's results (null when the learner's file is missing). */
  readonly job: JobResult | null;
  readonly passed: number;
  readonly total: number;
  /** The report, for tslab.display.html(). */
  readonly html: string;
}

const PASS = raw('<span style="color:#1a7f37;font-weight:bold;white-space:nowrap">&#10004; pass</span>');
const FAIL = raw('<span style="color:#b35900;font-weight:bold;white-space:nowrap">&#10008; not yet</span>');

/**
 * Run the visible tests of kata `id` ("05", "05-amd-iommu-v2") on the learner's file
 * under `root` (the course folder). Throws only when the kata does not exist or the
 * test worker cannot start at all (a broken installation, not a learner's mistake).
 */
export async function kataCheck(root: string, id: string, o: KataCheckOptions = {}): Promise<KataCheck> {
  const kata = findKata(root, id);
  if (!kata) throw new Error(`no kata ${id} under ${path.join(root, "katas")}`);
  if (!kata.visible) throw new Error(`kata ${kata.id} has no visible tests (visible.ts)`);
  const rel = path.relative(root, kata.file);
  const num = kata.id.slice(0, 2);
  if (!fs.existsSync(kata.file)) {
    const html =
      `<p><b>Kata ${escapeHtml(kata.id)}</b>: <code>${escapeHtml(rel)}</code> is missing. ` +
      `<code>npx tlbkata reset ${num}</code> in the course folder restores the starter.</p>`;
    return { kata, job: null, passed: 0, total: 0, html };
  }
  const job = await runKataJob(
    kataWorkerSpec(kata, kata.file, [kata.visible]),
    { caseTimeoutMs: o.caseTimeoutMs ?? 30_000, cwd: kata.dir },
  );
  const total = job.results.length;
  const passed = job.results.filter((r) => r.ok).length;
  const parts: string[] = [];
  parts.push(
    `<p><b>Kata ${escapeHtml(kata.id)}</b> (${escapeHtml(kata.title)}): ` +
      `<b>${passed} of ${total}</b> visible tests pass on <code>${escapeHtml(rel)}</code>.</p>`,
  );
  if (job.loadError) parts.push(`<p>Your file did not load, so no test could run: <code>${escapeHtml(job.loadError)}</code></p>`);
  const rows: Cell[][] = job.results.map((r, i) => [i + 1, r.name, r.ok ? PASS : FAIL, r.ok ? "" : r.rule ? code(r.rule) : "", r.ok ? "" : (r.message ?? "")]);
  parts.push(htmlTable(["#", "visible test", "result", "rule broken", "what the oracle saw"], rows));
  if (passed === total && total > 0) {
    parts.push(
      `<p>Every visible test passes. The hidden tests used for grading go further (see the kata's README, "Testing"): ` +
        `more scenarios, every interleaving, and the commands your driver sends.</p>`,
    );
  } else {
    parts.push(
      `<p>Edit <code>${escapeHtml(rel)}</code>, save it, and run this cell again. ` +
        `In a terminal: <code>npx tlbkata hint ${num}</code> shows the next hint, ` +
        `<code>npx tlbkata check ${num} --trace</code> shows how a failure happened.</p>`,
    );
  }
  if (job.output.trim()) {
    parts.push(`<details><summary>What your code printed</summary><pre>${escapeHtml(job.output)}</pre></details>`);
  }
  return { kata, job, passed, total, html: parts.join("\n") };
}

/** One row of a cache grid: a cache and the tag (PASID, ASID, PID) to look under. */
export interface CacheRow {
  readonly title: string;
  readonly tlb: Tlb;
  readonly tag: number;
}

/** A named page to show as a column. */
export interface GridPage {
  readonly name: string;
  readonly addr: number;
}

/**
 * Which of `pages` each cache holds a translation for, one row per cache: the pfn and
 * permission where there is an entry, a dash where there is none.
 */
export function cacheGrid(rows: readonly CacheRow[], pages: readonly GridPage[], opts: { readonly caption?: string } = {}): string {
  const headers: Cell[] = ["cache", "tag", ...pages.map((p) => raw(`${escapeHtml(p.name)}<br><small><code>${escapeHtml(hex(p.addr))}</code></small>`))];
  const body: Cell[][] = rows.map((r) => [
    r.title,
    r.tag,
    ...pages.map((p): Cell => {
      const hit = r.tlb.lookup(r.tag, p.addr);
      if (!hit) return raw('<span style="color:#767676">&ndash;</span>');
      return raw(`<span style="background:#d9ecff;color:#111;padding:0 3px">pfn ${hit.pfn} ${hit.write ? "rw" : "ro"}</span>`);
    }),
  ]);
  return htmlTable(headers, body, opts.caption ? { caption: opts.caption } : {});
}
