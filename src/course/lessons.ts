/**
 * The welcome notebook's course map: one row per notebook, with its title, the time it
 * says it takes, and its katas (a kata belongs to the notebook of its number).
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

const KATA_LINK = /katas\/(\d\d-[a-z0-9-]+)/g;

/** The katas a notebook's Markdown names (`katas/NN-slug`), in order of first mention. */
function linkedKatas(file: string): string[] {
  const nb = JSON.parse(fs.readFileSync(file, "utf8")) as { cells?: { cell_type: string; source?: string | string[] }[] };
  const text = (nb.cells ?? []).filter((c) => c.cell_type === "markdown").map(cellText).join("\n");
  return [...new Set([...text.matchAll(KATA_LINK)].map((m) => m[1]!))];
}

/** The kata folders, in the order of `course.json` (what `list` and `check NN` follow), the rest by name. */
function kataOrder(katasDir: string): string[] {
  if (!fs.existsSync(katasDir)) return [];
  const all = fs.readdirSync(katasDir).filter((k) => fs.statSync(path.join(katasDir, k)).isDirectory()).sort();
  const file = path.join(katasDir, "course.json");
  const order = fs.existsSync(file) ? ((JSON.parse(fs.readFileSync(file, "utf8")) as { order?: string[] }).order ?? []) : [];
  return [...order.filter((k) => all.includes(k)), ...all.filter((k) => !order.includes(k))];
}

/**
 * The course's notebooks in order, each with its katas: a kata `NN-*` belongs to the
 * notebook numbered NN (`NN-*`, or `NNb-*`, `NNc-*` for further parts). When several notebooks
 * share a number, each gets the katas of that number it links, and the first one also
 * gets those none of them links.
 */
export function courseMapRows(notebooksDir: string, katasDir: string): CourseMapRow[] {
  const notebooks = fs.readdirSync(notebooksDir).filter((f) => f.endsWith(".ipynb")).sort();
  const katas = kataOrder(katasDir);
  const number = (f: string) => /^(\d+)/.exec(f)?.[1] ?? f;
  const links = new Map(notebooks.map((nb) => [nb, linkedKatas(path.join(notebooksDir, nb))]));
  return notebooks.map((nb) => {
    const mine = katas.filter((k) => number(k) === number(nb));
    const siblings = notebooks.filter((other) => number(other) === number(nb));
    let own = mine;
    if (siblings.length > 1) {
      const linkedBySome = new Set(siblings.flatMap((s) => links.get(s)!));
      own = mine.filter((k) => links.get(nb)!.includes(k) || (nb === siblings[0] && !linkedBySome.has(k)));
    }
    return { ...notebookInfo(path.join(notebooksDir, nb)), katas: own };
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
