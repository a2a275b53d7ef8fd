// Every notebook asks the learner to think, not only to read: a stated time, "Predict" prompts
// before key cells, questions with folded answers before the closing cell, and no long code
// cell that is plumbing rather than the lesson (docs/COURSE-SETUP.md, "Writing a notebook").
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const NOTEBOOKS = path.join(ROOT, "notebooks");
const MAX_CODE_LINES = 25;

/** Code cells over the limit that are the lesson itself, by notebook and first line. */
const LESSON_CELLS: Record<string, string[]> = {
  // The five broken drivers side by side are what the learner reads and predicts about.
  "04c-locking-rules.ipynb": ["const withLock"],
};

type Cell = { cell_type: string; source: string | string[] };
const text = (c: Cell) => (Array.isArray(c.source) ? c.source.join("") : c.source);

export function pedagogyProblems(name: string, cells: Cell[], lessons: string[] = []): string[] {
  const problems: string[] = [];
  const markdown = cells.filter((c) => c.cell_type === "markdown").map(text);
  const all = markdown.join("\n");
  if (!/\*\*Time:\*\* about \d+ minutes/.test(all)) problems.push(`${name}: no "**Time:** about N minutes" line`);
  if ((all.match(/\bPredict\b/g) ?? []).length < 2) problems.push(`${name}: fewer than two "Predict" prompts`);
  const beforeLast = markdown.slice(0, -1).join("\n");
  if (!/<details>\s*<summary>[^<]*Answers/i.test(beforeLast)) problems.push(`${name}: no questions with folded answers before the closing cell`);
  for (const c of cells) {
    if (c.cell_type !== "code") continue;
    const src = text(c);
    const lines = src.split("\n").filter((l, i, a) => i < a.length - 1 || l !== "").length;
    if (lines > MAX_CODE_LINES && !lessons.some((first) => src.trimStart().startsWith(first))) {
      problems.push(`${name}: a code cell of ${lines} lines (over ${MAX_CODE_LINES}) starting "${src.trim().split("\n")[0]!.slice(0, 60)}"`);
    }
  }
  return problems;
}

describe("every notebook makes the learner think", () => {
  const files = fs.readdirSync(NOTEBOOKS).filter((f) => f.endsWith(".ipynb")).sort();

  it.each(files)("%s: time, predictions, questions, short cells", (f) => {
    const nb = JSON.parse(fs.readFileSync(path.join(NOTEBOOKS, f), "utf8")) as { cells: Cell[] };
    expect(pedagogyProblems(f, nb.cells, LESSON_CELLS[f])).toEqual([]);
  });

  it("the check fails on a notebook that only tells", () => {
    const md = (s: string): Cell => ({ cell_type: "markdown", source: s });
    const code = (n: number): Cell => ({ cell_type: "code", source: Array.from({ length: n }, (_, i) => `line(${i});`).join("\n") });
    const problems = pedagogyProblems("x.ipynb", [md("# Title\nThe result is 3."), code(30), md("Next: katas/05")]);
    expect(problems.join("\n")).toMatch(/no "\*\*Time:\*\*/);
    expect(problems.join("\n")).toMatch(/fewer than two "Predict"/);
    expect(problems.join("\n")).toMatch(/no questions with folded answers/);
    expect(problems.join("\n")).toMatch(/a code cell of 30 lines/);
    const good = [md("**Time:** about 5 minutes\n**Predict:** a?\n**Predict:** b?"), code(25), md("<details><summary>Answers</summary>x</details>"), md("katas/05")];
    expect(pedagogyProblems("y.ipynb", good)).toEqual([]);
  });
});
