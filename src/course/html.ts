/**
 * Small HTML builders for notebook outputs (tslab.display.html). Every value is
 * escaped unless it is wrapped with raw().
 */
import type { Tlb } from "../hw/tlb";
import { hex } from "../mm/constants";

/** HTML that must not be escaped again. */
export class Html {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export function raw(html: string): Html {
  return new Html(html);
}

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESC[c]!);
}

export type Cell = string | number | boolean | null | undefined | Html;

function cellHtml(c: Cell): string {
  if (c instanceof Html) return c.html;
  if (c === null || c === undefined) return "";
  return escapeHtml(String(c));
}

/** `<code>text</code>`, escaped, kept on one line (a PTE or an address reads badly wrapped). */
export function code(text: string): Html {
  return raw(`<code style="white-space:nowrap">${escapeHtml(text)}</code>`);
}

export interface TableOptions {
  readonly caption?: string;
  /** Row indices to highlight (a counterexample's last step, say). */
  readonly highlight?: readonly number[];
  /** Background of highlighted rows (default a light red). */
  readonly highlightColor?: string;
}

/** An HTML table with a header row. */
export function htmlTable(headers: readonly Cell[], rows: readonly (readonly Cell[])[], opts: TableOptions = {}): string {
  const hl = new Set(opts.highlight ?? []);
  const bg = opts.highlightColor ?? "#ffd9d9";
  const head = `<thead><tr>${headers.map((h) => `<th style="text-align:left">${cellHtml(h)}</th>`).join("")}</tr></thead>`;
  const body = rows
    .map((r, i) => {
      // Dark text with the light background: JupyterLab's dark theme would draw light text on it.
      const style = hl.has(i) ? ` style="background:${bg};color:#111"` : "";
      return `<tr${style}>${r.map((c) => `<td style="text-align:left">${cellHtml(c)}</td>`).join("")}</tr>`;
    })
    .join("");
  const caption = opts.caption ? `<caption style="text-align:left">${escapeHtml(opts.caption)}</caption>` : "";
  return `<table>${caption}${head}<tbody>${body}</tbody></table>`;
}

/** Preformatted text (a text trace, say) with a caption line above it. */
export function preBlock(text: string, title?: string): string {
  const t = title ? `<p><b>${escapeHtml(title)}</b></p>` : "";
  return `${t}<pre>${escapeHtml(text)}</pre>`;
}

function sizeName(size: number): string {
  if (size >= 2 ** 30) return `${size / 2 ** 30} GiB`;
  if (size >= 2 ** 20) return `${size / 2 ** 20} MiB`;
  return `${size / 1024} KiB`;
}

/** The live entries of one or more translation caches, one row each. */
export function tlbTable(tlbs: readonly Tlb[], opts: TableOptions & { readonly tagName?: string } = {}): string {
  const rows: Cell[][] = [];
  for (const t of tlbs) {
    const entries = [...t.entries()].sort((a, b) => a.tag - b.tag || a.va - b.va);
    if (entries.length === 0) rows.push([t.name, "(empty)", "", "", "", ""]);
    for (const e of entries) {
      rows.push([t.name, e.tag, code(hex(e.va)), sizeName(e.size), e.pfn, e.write ? "read-write" : "read-only"]);
    }
  }
  return htmlTable(["cache", opts.tagName ?? "tag", "virtual address", "size", "pfn", "permission"], rows, opts);
}
