/**
 * The welcome notebook's course map: one row per notebook, with its title, the time it
 * says it takes, and its katas (a kata belongs to the notebook of its number prefix).
 * Read from the folders, so the map grows with the course.
 */
import * as fs from "fs";
import * as path from "path";
import { htmlTable, code, raw, escapeHtml, type Cell } from "./html";

export interface NotebookInfo {
  readonly file: string;
  /** The first Markdown heading. */
  readonly title: string;
  /** From a line "**Time:** about N minutes" in a Markdown cell; null when none says. */
  readonly minutes: number | null;
}

const TIME = /\*\*Time:\*\*\s*about\s+(\d+)\s+minutes/i;

function cellText(cell: { source?: string | string[] }): string {
  return Array.isArray(cell.source) ? cell.source.join("") : (cell.source ?? "");
}

/** A notebook's title and stated time, read from its Markdown cells. */
export function notebookInfo(file: string): NotebookInfo {
  const nb = JSON.parse(fs.readFileSync(file, "utf8")) as { cells?: { cell_type: string; source?: string | string[] }[] };
  let title: string | null = null;
  let minutes: number | null = null;
  for (const cell of nb.cells ?? []) {
    if (cell.cell_type !== "markdown") continue;
    const src = cellText(cell);
    if (title === null) {
      const m = /^#+\s+(.+)$/m.exec(src);
      if (m) title = m[1]!.trim();
    }
    if (minutes === null) {
      const t = TIME.exec(src);
      if (t) minutes = Number(t[1]);
    }
    if (title !== null && minutes !== null) break;
  }
  return { file: path.basename(file), title: title ?? "(untitled)", minutes };
}

export interface CourseMapRow extends NotebookInfo {
  readonly katas: readonly string[];
}

/** The course's notebooks in order, each with its katas (`katas/NN-*` for notebook `NN-*`). */
export function courseMapRows(notebooksDir: string, katasDir: string): CourseMapRow[] {
  const notebooks = fs.readdirSync(notebooksDir).filter((f) => f.endsWith(".ipynb")).sort();
  const katas = fs.existsSync(katasDir) ? fs.readdirSync(katasDir).filter((k) => fs.statSync(path.join(katasDir, k)).isDirectory()).sort() : [];
  return notebooks.map((nb) => {
    const prefix = nb.split("-")[0] + "-";
    return { ...notebookInfo(path.join(notebooksDir, nb)), katas: katas.filter((k) => k.startsWith(prefix)) };
  });
}

/**
 * The map as a table: Notebook, Topic, Time, Kata. The notebooks' stated times are
 * summed in the caption; a notebook that states none shows a dash and is left out.
 */
export function courseMap(notebooksDir = ".", katasDir = path.join(notebooksDir, "..", "katas")): string {
  const rows = courseMapRows(notebooksDir, katasDir);
  const body: Cell[][] = rows.map((r) => [
    code(r.file),
    r.title,
    r.minutes === null ? "–" : `${r.minutes} min`,
    r.katas.length ? raw(r.katas.map((k) => `<code>katas/${escapeHtml(k)}</code>`).join("<br>")) : "none",
  ]);
  const stated = rows.filter((r) => r.minutes !== null);
  const total = stated.reduce((n, r) => n + r.minutes!, 0);
  const hours = total >= 90 ? ` (about ${Math.round(total / 30) / 2} hours)` : "";
  const missing = rows.length - stated.length;
  const caption =
    `The stated times add up to ${total} minutes${hours}, katas not included` +
    (missing ? `; ${missing} ${missing === 1 ? "notebook states" : "notebooks state"} no time yet` : "") + ".";
  return htmlTable(["Notebook", "Topic", "Time", "Kata"], body, { caption });
}
