// Consistency checks of what the course's text says about the kernel, against
// docs/KERNEL-FACTS.md. Pure functions over (file, text) pairs, so that each check can be
// tried on a small bad input as well as on the course itself.
import fs from "node:fs";
import path from "node:path";

/** One piece of course text: a file (relative to the course root) and what it says. */
export interface CourseText {
  file: string;
  text: string;
}

/** A check's complaint: which rule, in which file, about which words. */
export interface Finding {
  rule: string;
  file: string;
  excerpt: string;
}

export const FACTS_FILE = "docs/KERNEL-FACTS.md";

/** Anchors other parts of the course link to: they must exist in the facts file. */
export const REQUIRED_ANCHORS = [
  "rename-v66",
  "try-to-migrate-one",
  "try-to-unmap-one",
  "lost-write",
  "arm64-upgrade",
  "x86-full-flush",
  "intel-v66-wrap",
  "btm-mainline",
  "soft-lockup",
  "mprotect-order",
  "hugetlb-wp",
  "newest-first",
  "both-kinds-null",
  "ordering-example",
];

// ---------------------------------------------------------------------------------
// Reading the course
// ---------------------------------------------------------------------------------

function walk(dir: string, keep: (f: string) => boolean): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "node_modules" && e.name !== "dist" && e.name !== "fixtures") out.push(...walk(p, keep));
    } else if (keep(p)) out.push(p);
  }
  return out.sort();
}

/** The sources of a notebook's cells (markdown and code; never outputs), one text per cell. */
export function notebookCells(file: string, json: string): CourseText[] {
  const nb = JSON.parse(json) as { cells: { cell_type: string; id?: string; source: string | string[] }[] };
  return nb.cells.map((c, i) => ({
    file: `${file} (cell ${i}${c.id ? `, id ${c.id}` : ""}, ${c.cell_type})`,
    text: Array.isArray(c.source) ? c.source.join("") : c.source,
  }));
}

/**
 * Everything learner-facing that may state a kernel fact: notebooks (cell sources),
 * katas and solutions (READMEs, hints, code and its messages), README.md, docs/,
 * diagrams, and src/ outside its tests.
 */
export function readCourse(root: string): CourseText[] {
  const rel = (p: string) => path.relative(root, p).split(path.sep).join("/");
  const texts: CourseText[] = [];
  for (const f of walk(path.join(root, "notebooks"), (p) => p.endsWith(".ipynb"))) {
    texts.push(...notebookCells(rel(f), fs.readFileSync(f, "utf8")));
  }
  const plain = [
    ...walk(path.join(root, "katas"), (p) => /\.(md|ts)$/.test(p)),
    ...walk(path.join(root, "solutions"), (p) => p.endsWith(".ts")),
    ...walk(path.join(root, "docs"), (p) => p.endsWith(".md")),
    ...walk(path.join(root, "diagrams"), (p) => p.endsWith(".mmd")),
    ...walk(path.join(root, "src"), (p) => p.endsWith(".ts") && !p.endsWith(".test.ts") && !p.includes(`${path.sep}testing${path.sep}`)),
    path.join(root, "README.md"),
  ];
  for (const f of plain) texts.push({ file: rel(f), text: fs.readFileSync(f, "utf8") });
  return texts;
}

/** Prose with line breaks, comment markers and Markdown emphasis folded, so a sentence reads as one line. */
export function flatten(text: string): string {
  return text
    .replace(/^\s*(\/\/+|\*|#+|>)\s?/gm, " ")
    .replace(/\*\*|__/g, "")
    .replace(/\s+/g, " ");
}

function excerpt(flat: string, at: number, len: number): string {
  const from = Math.max(0, at - 40);
  return flat.slice(from, Math.min(flat.length, at + len + 40)).trim();
}

/** The sentence around a position (split on ". ", "! ", "? " and blank structure). */
function sentenceAt(flat: string, at: number): string {
  const before = flat.lastIndexOf(". ", at);
  const after = flat.indexOf(". ", at);
  // In code a "sentence" can run on: keep to 300 characters either side.
  const from = Math.max(before < 0 ? 0 : before + 2, at - 300);
  const to = Math.min(after < 0 ? flat.length : after + 1, at + 300);
  return flat.slice(from, to);
}

// ---------------------------------------------------------------------------------
// Names and versions
// ---------------------------------------------------------------------------------

/** Words that say the rename happened in 6.5 (it is not in v6.5: it landed in v6.6). */
const RENAME_IN_65: RegExp[] = [
  // "before/until Linux 6.5 the callback was invalidate_range"
  /\b(?:before|until|prior to)\s+(?:Linux\s+|kernel\s+)?v?6\.5\b/gi,
  // "Linux 6.5, mm_notifiers: Rename ..." / "renamed ... in Linux 6.5"
  /\bv?6\.5\b[^.;]{0,60}\brenam(?!e-v66)/gi,
  /\brenam\w*[^.;:]{0,60}\bin\s+(?:Linux\s+)?v?6\.5\b/gi,
  // "since 6.5 it is invalidate_secondary_tlbs"
  /\b(?:since|from|as of)\s+(?:Linux\s+)?v?6\.5\b[^.]{0,80}invalidate_secondary_tlbs/gi,
];

export function checkRenameVersion(texts: CourseText[]): Finding[] {
  const out: Finding[] = [];
  for (const t of texts) {
    const flat = flatten(t.text);
    for (const re of RENAME_IN_65) {
      for (const m of flat.matchAll(re)) {
        // "the rename is not in v6.5", "v6.5 still has .invalidate_range" say the opposite.
        if (/\bnot\b|\bstill\b/i.test(m[0])) continue;
        out.push({ rule: "rename-in-6.5", file: t.file, excerpt: excerpt(flat, m.index!, m[0].length) });
      }
    }
  }
  return out;
}

/** v6.6 merged `arch_invalidate_secondary_tlbs`; the name without `arch_` is the RFC's. */
const MERGED_NAME = /\b(?:v?6\.6|merged|mainline)\b[^.;]{0,50}?\b(?:as|named|renamed(?: to)?|became|calls?)\s+[`.]*((?:mmu_notifier_)?(?:arch_)?invalidate_secondary_tlbs)\b/gi;

export function checkMergedName(texts: CourseText[]): Finding[] {
  const out: Finding[] = [];
  for (const t of texts) {
    const flat = flatten(t.text);
    for (const m of flat.matchAll(MERGED_NAME)) {
      if (m[1]!.includes("arch_")) continue;
      out.push({ rule: "merged-name-without-arch", file: t.file, excerpt: excerpt(flat, m.index!, m[0].length) });
    }
  }
  return out;
}

/** The SVA drivers call mmu_notifier_register; mmu_notifier_get's users are sgi-gru and amdkfd. */
const SVA_DRIVERS = /\bSVA drivers?\b|\bIOMMU drivers?\b|SMMU|iommu_v2|VT-d|Intel SVM|OpenCAPI|\bocxl\b/i;

export function checkGetLocked(texts: CourseText[]): Finding[] {
  const out: Finding[] = [];
  for (const t of texts) {
    const flat = flatten(t.text);
    for (const m of flat.matchAll(/\bmmu_notifier_get(?:_locked)?\b/g)) {
      const s = sentenceAt(flat, m.index!);
      if (SVA_DRIVERS.test(s) && !/\bnot\b|mmu_notifier_register|sgi-gru|amdkfd/.test(s)) {
        out.push({ rule: "get-locked-for-sva", file: t.file, excerpt: s.trim() });
      }
    }
  }
  return out;
}

/** The reported 26 s lockup came from a large munmap flushed at range_end. */
export function checkSoftLockup(texts: CourseText[]): Finding[] {
  const out: Finding[] = [];
  for (const t of texts) {
    const flat = flatten(t.text);
    for (const m of flat.matchAll(/(?<![\d.,])\b26(?:[- ]s\b|[- ]seconds?\b)/g)) {
      // The paragraph around the mention: 300 characters before, 450 after.
      const around = flat.slice(Math.max(0, m.index! - 300), m.index! + 450);
      if (/range_end|range end|unmap_vmas|KERNEL-FACTS\.md#soft-lockup/.test(around)) continue;
      out.push({ rule: "soft-lockup-origin", file: t.file, excerpt: excerpt(flat, m.index!, m[0].length) });
    }
  }
  return out;
}

/** Subscriptions are added at the head of the list: walked newest first. */
export function checkWalkOrder(texts: CourseText[]): Finding[] {
  const out: Finding[] = [];
  const re = /in registration order|oldest first|in the order (?:they were |of )?regist\w*/gi;
  for (const t of texts) {
    const flat = flatten(t.text);
    for (const m of flat.matchAll(re)) {
      const s = sentenceAt(flat, m.index!);
      if (/subscription|notifier/i.test(s)) out.push({ rule: "walk-order", file: t.file, excerpt: s.trim() });
    }
  }
  return out;
}

/** Reclaim holds the folio until range_end: it does not free pages before end (munmap does). */
export function checkReclaimFrees(texts: CourseText[]): Finding[] {
  const out: Finding[] = [];
  const re = /\b(?:reclaim|kswapd)\b[^.;]{0,40}\bfrees?\b[^.;]{0,30}\bbefore (?:range_|invalidate_range_)?end\b/gi;
  for (const t of texts) {
    const flat = flatten(t.text);
    for (const m of flat.matchAll(re)) out.push({ rule: "reclaim-frees-before-end", file: t.file, excerpt: excerpt(flat, m.index!, m[0].length) });
  }
  return out;
}

/**
 * A device write through a stale entry after reclaim or migration cleared the PTE is not
 * lost: reclaim still holds the page and writes it out, migration copies it afterwards.
 * Only a discarded MADV_FREE page or a freed page loses it.
 */
export function checkLostWrite(texts: CourseText[]): Finding[] {
  const out: Finding[] = [];
  for (const t of texts) {
    const flat = flatten(t.text);
    for (const m of flat.matchAll(/(?<![#"])lost[- ]write|writes? (?:is|are) lost/gi)) {
      const s = sentenceAt(flat, m.index!);
      if (!/reclaim|migrat|kswapd/i.test(s)) continue;
      if (/nothing is lost|not lost|MADV_FREE|lazy-free|discard|KERNEL-FACTS\.md#lost-write/i.test(s)) continue;
      out.push({ rule: "lost-write-on-reclaim-or-migration", file: t.file, excerpt: s.trim() });
    }
  }
  return out;
}

/** Prose that teaches BTM must say mainline never enables it (or link to the fact). */
export function checkBtmCaveat(texts: CourseText[]): Finding[] {
  const byFile = new Map<string, string[]>();
  for (const t of texts) {
    if (!/\.(md|ipynb)/.test(t.file) || /\/hints\//.test(t.file)) continue;
    const base = t.file.replace(/ \(cell .*$/, "");
    byFile.set(base, [...(byFile.get(base) ?? []), t.text]);
  }
  const out: Finding[] = [];
  for (const [file, parts] of byFile) {
    const all = flatten(parts.join("\n"));
    if (!/\bBTM\b/.test(all)) continue;
    if (/never (?:enables|enabled|sets|takes)|KERNEL-FACTS\.md#btm-mainline/.test(all)) continue;
    out.push({ rule: "btm-without-mainline-caveat", file, excerpt: excerpt(all, all.search(/\bBTM\b/), 3) });
  }
  return out;
}

// ---------------------------------------------------------------------------------
// The facts file: citations and anchors
// ---------------------------------------------------------------------------------

const TAGS = new Set(["v6.4", "v6.5", "v6.6", "v6.7", "v6.8", "RFC"]);
/** `tag:path:lines`, lines being N, N-M, or a comma-separated list of those. */
const CITATION = /^(v6\.\d+|RFC):([A-Za-z0-9_][A-Za-z0-9_.\-/]*\.[A-Za-z]+):(\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*)$/;

/** Problems with one citation, or [] when it is well formed. */
export function citationProblems(c: string): string[] {
  const m = CITATION.exec(c);
  if (!m) return [`\`${c}\` is not tag:path:line (tag v6.4..v6.8 or RFC, a path with an extension, a line, a range or a list)`];
  const [, tag, , lines] = m;
  const problems: string[] = [];
  if (!TAGS.has(tag!)) problems.push(`\`${c}\`: unknown tag ${tag} (known: ${[...TAGS].join(", ")})`);
  for (const part of lines!.split(",")) {
    const [a, b] = part.split("-").map(Number);
    if (a! < 1 || (b !== undefined && b <= a!)) problems.push(`\`${c}\`: bad line range ${part}`);
  }
  return problems;
}

/** Backquoted tokens of the facts file that look like citations (something:path:something). */
export function citationsIn(facts: string): string[] {
  return [...facts.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]!).filter((s) => /^[^:/]+:[^:]*\/[^:]*:.+$|^(?:v\d|RFC)[^:]*:[^:]+:/.test(s));
}

/** GitHub's heading slug: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** Every anchor of a Markdown file: explicit `<a id>`s and heading slugs. */
export function anchorsOf(markdown: string): Set<string> {
  const ids = new Set<string>();
  for (const m of markdown.matchAll(/<a id="([^"]+)"><\/a>/g)) ids.add(m[1]!);
  for (const m of markdown.matchAll(/^#{1,6}\s+(.+)$/gm)) ids.add(slug(m[1]!));
  return ids;
}

/** Each fact (an explicit anchor) says where it comes from, how it was checked, and who relies on it. */
export function entryProblems(facts: string): string[] {
  const problems: string[] = [];
  const parts = facts.split(/(?=<a id=")/).filter((p) => p.startsWith("<a id="));
  for (const part of parts) {
    const id = /<a id="([^"]+)">/.exec(part)![1];
    for (const field of ["Source:", "Checked:", "Relied on by:"]) {
      if (!part.includes(`- ${field}`)) problems.push(`entry #${id} has no "- ${field}" line`);
    }
  }
  return problems;
}

/** Links to the facts file's anchors: `KERNEL-FACTS.md#x` must name an anchor that exists. */
export function checkFactLinks(texts: CourseText[], anchors: Set<string>, root: string): Finding[] {
  const out: Finding[] = [];
  for (const t of texts) {
    const file = t.file.replace(/ \(cell .*$/, "");
    for (const m of t.text.matchAll(/([A-Za-z0-9_./-]*)KERNEL-FACTS\.md#([A-Za-z0-9_-]+)/g)) {
      if (!anchors.has(m[2]!)) {
        out.push({ rule: "missing-anchor", file: t.file, excerpt: `${m[0]}: no anchor "${m[2]}" in ${FACTS_FILE}` });
        continue;
      }
      // A Markdown link's path must lead from the file's folder to docs/KERNEL-FACTS.md.
      const linkPath = `${m[1]}KERNEL-FACTS.md`;
      if (m[1] && /\.(md|ipynb)$/.test(file) && (m[1].startsWith(".") || m[1].startsWith("docs/"))) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), linkPath));
        if (target !== FACTS_FILE) out.push({ rule: "wrong-link-path", file: t.file, excerpt: `${linkPath} resolves to ${target}, not ${FACTS_FILE}` });
      }
    }
  }
  // In-file links of the facts file itself.
  const facts = texts.find((t) => t.file === FACTS_FILE);
  if (facts) {
    for (const m of facts.text.matchAll(/\]\(#([A-Za-z0-9_-]+)\)/g)) {
      if (!anchors.has(m[1]!)) out.push({ rule: "missing-anchor", file: FACTS_FILE, excerpt: `(#${m[1]}) has no anchor` });
    }
  }
  void root;
  return out;
}

/** All the prose checks, in one list. */
export function proseFindings(texts: CourseText[]): Finding[] {
  return [
    ...checkRenameVersion(texts),
    ...checkMergedName(texts),
    ...checkGetLocked(texts),
    ...checkSoftLockup(texts),
    ...checkWalkOrder(texts),
    ...checkReclaimFrees(texts),
    ...checkBtmCaveat(texts),
    ...checkLostWrite(texts),
  ];
}
