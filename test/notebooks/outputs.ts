// The rule for committed notebook outputs, as code: notebooks are committed with the outputs of
// a real top-to-bottom run (`node scripts/notebooks/run.mjs test --write NOTEBOOK`), so that they
// read well on a code host. These helpers check a committed notebook on its own (static rules)
// and against a fresh execution of it (same cells produce the same kinds of output; content
// differences are listed so that stale outputs can be refreshed).
import fs from "node:fs";

export interface NbOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
  ename?: string;
  evalue?: string;
}

export interface NbCell {
  cell_type: string;
  id?: string;
  source: string | string[];
  metadata?: Record<string, unknown>;
  execution_count?: number | null;
  outputs?: NbOutput[];
}

export interface Notebook {
  cells: NbCell[];
  metadata: { kernelspec?: { name?: string }; [k: string]: unknown };
  nbformat: number;
  nbformat_minor: number;
}

export function readNotebook(file: string): Notebook {
  return JSON.parse(fs.readFileSync(file, "utf8")) as Notebook;
}

const text = (t: string | string[] | undefined): string => (Array.isArray(t) ? t.join("") : (t ?? ""));

/**
 * Problems with a committed notebook on its own: nbformat 4.5 with cell ids, the tslab
 * kernelspec, and outputs that come from one top-to-bottom run in one kernel (execution counts
 * 1, 2, 3, ... on every code cell, in order) that raised no error and wrote nothing to stderr
 * (tslab reports errors there), with no per-cell timing metadata.
 */
export function staticProblems(nb: Notebook): string[] {
  const out: string[] = [];
  if (nb.nbformat !== 4 || nb.nbformat_minor < 5) out.push(`nbformat ${nb.nbformat}.${nb.nbformat_minor}, expected 4.5 or later (cell ids)`);
  if (nb.metadata.kernelspec?.name !== "tslab") out.push(`kernelspec ${nb.metadata.kernelspec?.name ?? "(none)"}, expected tslab`);
  const ids = new Set<string>();
  let expected = 1;
  nb.cells.forEach((c, i) => {
    const where = `cell ${i}${c.id ? ` (id ${c.id})` : ""}`;
    if (!c.id) out.push(`${where} has no id`);
    else if (ids.has(c.id)) out.push(`${where}: duplicate id`);
    else ids.add(c.id);
    if (c.metadata && "execution" in c.metadata) out.push(`${where}: timing metadata (metadata.execution) is committed`);
    if (c.cell_type !== "code") return;
    if (c.execution_count !== expected) {
      out.push(`${where}: execution_count ${c.execution_count ?? "null"}, expected ${expected} (outputs must come from one top-to-bottom run)`);
    }
    expected = (c.execution_count ?? expected) + 1;
    for (const o of c.outputs ?? []) {
      if (o.output_type === "error") out.push(`${where}: an error output (${o.ename}: ${o.evalue})`);
      if (o.output_type === "stream" && o.name === "stderr") out.push(`${where}: writes to stderr: ${text(o.text).split("\n")[0]}`);
    }
  });
  return out;
}

/** The kinds of a code cell's outputs, in order, consecutive streams of one name merged. */
export function outputKinds(cell: NbCell): string[] {
  const kinds: string[] = [];
  for (const o of cell.outputs ?? []) {
    const k = o.output_type === "stream" ? `stream:${o.name}` : `${o.output_type}:${Object.keys(o.data ?? {}).sort().join(",")}`;
    if (k.startsWith("stream:") && kinds[kinds.length - 1] === k) continue;
    kinds.push(k);
  }
  return kinds;
}

/** A comparable digest of one output value: SVG reduced to its text, version numbers masked. */
function digestValue(mime: string, value: string): string {
  let v = value;
  if (mime === "image/svg+xml") {
    v = v
      .replace(/<style[\s\S]*?<\/style>/g, " ")
      .replace(/<[^>]+>/g, " ")
      .replace(/\s+/g, " ")
      .trim();
  }
  return v.replace(/\bv?\d+\.\d+\.\d+\b/g, "<version>");
}

/** A code cell's outputs as comparable strings, streams of one name merged. */
export function outputDigest(cell: NbCell): string[] {
  const out: string[] = [];
  let last = "";
  for (const o of cell.outputs ?? []) {
    if (o.output_type === "stream") {
      const key = `stream:${o.name}`;
      const t = digestValue("text/plain", text(o.text));
      if (last === key) out[out.length - 1] += t;
      else out.push(t);
      last = key;
      continue;
    }
    last = "";
    const data = o.data ?? {};
    out.push(
      Object.keys(data)
        .sort()
        .map((m) => `${m}: ${digestValue(m, text(data[m]))}`)
        .join("\n"),
    );
  }
  return out;
}

export interface Comparison {
  /** The fresh run's outputs have other kinds, or other cells: the committed outputs are not of this source. */
  readonly shape: string[];
  /** Same kinds, different content: stale outputs, to refresh with --write. */
  readonly content: string[];
}

/** Compare a committed notebook with a fresh execution of the same notebook. */
export function compareOutputs(committed: Notebook, executed: Notebook): Comparison {
  const shape: string[] = [];
  const content: string[] = [];
  if (committed.cells.length !== executed.cells.length) {
    shape.push(`the fresh run has ${executed.cells.length} cells, the committed notebook ${committed.cells.length}`);
    return { shape, content };
  }
  committed.cells.forEach((c, i) => {
    if (c.cell_type !== "code") return;
    const e = executed.cells[i]!;
    const where = `cell ${i}${c.id ? ` (id ${c.id})` : ""}`;
    const ck = outputKinds(c).join(" ");
    const ek = outputKinds(e).join(" ");
    if (ck !== ek) {
      shape.push(`${where}: committed outputs [${ck || "none"}], a fresh run gives [${ek || "none"}]`);
      return;
    }
    const cd = outputDigest(c);
    const ed = outputDigest(e);
    const j = cd.findIndex((d, k) => d !== ed[k]);
    if (j >= 0) {
      const a = cd[j]!;
      const b = ed[j]!;
      let at = 0;
      while (at < a.length && a[at] === b[at]) at++;
      const show = (s: string) => JSON.stringify(s.slice(Math.max(0, at - 30), at + 50));
      content.push(`${where}, output ${j}: committed ${show(a)} but a fresh run gives ${show(b)}`);
    }
  });
  return { shape, content };
}
