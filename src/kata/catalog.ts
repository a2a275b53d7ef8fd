/**
 * The katas on disk. A kata is a folder katas/NN-slug/ (NN: the notebook it belongs to) with:
 *   kata.json        {"title", "file", "exports"}: the file the learner edits and what it must export;
 *                    optional "hiddenAlsoChecks": what the hidden tests check that the visible ones do not;
 *                    optional "readmeRules": {rule id: the README rule it breaks}, cited in feedback
 *   README.md        what to do
 *   <file>           the starter the learner edits
 *   visible.ts       visible tests (a suite)
 *   hints/N.md       graduated hints
 *   hidden/*.ts      hidden tests (suites), not in the student release
 *   mutants/*.ts     wrong implementations the hidden tests must fail, not released
 * and its reference solution in solutions/NN-slug/<file>. katas/course.json, when
 * present, gives the course order of katas of the same notebook: {"order": [ids]}.
 */
import * as fs from "fs";
import * as path from "path";
import { RULE_KIND } from "../oracle/violation";
import type { WorkerSpec } from "./protocol";

export interface KataInfo {
  /** Folder name, such as "05-amd-iommu-v2". */
  readonly id: string;
  /** The notebook it belongs to: the two digits of its id, such as "05". */
  readonly notebook: string;
  readonly dir: string;
  readonly title: string;
  /** The file the learner edits (absolute path). */
  readonly file: string;
  /** Names the learner's module must export. */
  readonly exports: readonly string[];
  readonly visible: string | null;
  readonly hidden: readonly string[];
  readonly mutants: readonly string[];
  readonly hints: readonly string[];
  /** The reference solution, when present (not in a student release). */
  readonly solution: string | null;
  /** Other correct solutions written differently (solutions/NN-slug/variants/). */
  readonly variants: readonly string[];
  /** What the hidden tests check that the visible ones do not (kata.json), when said. */
  readonly hiddenAlsoChecks: string | null;
  /** Where the README forbids what a rule catches: rule id -> "rule 2: ..." (kata.json), cited by failures under that rule. */
  readonly readmeRules: Readonly<Record<string, string>>;
}

const KATA_DIR = /^\d\d-[a-z0-9-]+$/;

function tsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .sort()
    .map((f) => path.join(dir, f));
}

export class CatalogError extends Error {}

export function readKata(root: string, id: string): KataInfo {
  const dir = path.join(root, "katas", id);
  const metaPath = path.join(dir, "kata.json");
  if (!fs.existsSync(metaPath)) throw new CatalogError(`katas/${id} has no kata.json`);
  let meta: { title?: unknown; file?: unknown; exports?: unknown; hiddenAlsoChecks?: unknown; readmeRules?: unknown };
  try {
    meta = JSON.parse(fs.readFileSync(metaPath, "utf8"));
  } catch (e) {
    throw new CatalogError(`katas/${id}/kata.json is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof meta.title !== "string" || typeof meta.file !== "string" || !Array.isArray(meta.exports)) {
    throw new CatalogError(`katas/${id}/kata.json needs "title", "file" and "exports"`);
  }
  if (meta.hiddenAlsoChecks !== undefined && typeof meta.hiddenAlsoChecks !== "string") {
    throw new CatalogError(`katas/${id}/kata.json: "hiddenAlsoChecks" must be a string`);
  }
  const readmeRules = (meta.readmeRules ?? {}) as Record<string, unknown>;
  if (typeof readmeRules !== "object" || Array.isArray(readmeRules) || Object.entries(readmeRules).some(([r, t]) => !(r in RULE_KIND) || typeof t !== "string")) {
    throw new CatalogError(`katas/${id}/kata.json: "readmeRules" must map rule ids (${Object.keys(RULE_KIND)[0]}, ...) to the README rule they break`);
  }
  const hintsDir = path.join(dir, "hints");
  const hints = fs.existsSync(hintsDir)
    ? fs
        .readdirSync(hintsDir)
        .filter((f) => /^\d+\.md$/.test(f))
        .sort((a, b) => parseInt(a) - parseInt(b))
        .map((f) => path.join(hintsDir, f))
    : [];
  const solution = path.join(root, "solutions", id, meta.file);
  const visible = path.join(dir, "visible.ts");
  return {
    id,
    notebook: id.slice(0, 2),
    dir,
    title: meta.title,
    file: path.join(dir, meta.file),
    exports: meta.exports.map(String),
    visible: fs.existsSync(visible) ? visible : null,
    hidden: tsFiles(path.join(dir, "hidden")),
    mutants: tsFiles(path.join(dir, "mutants")),
    hints,
    solution: fs.existsSync(solution) ? solution : null,
    variants: tsFiles(path.join(root, "solutions", id, "variants")),
    hiddenAlsoChecks: meta.hiddenAlsoChecks ?? null,
    readmeRules: readmeRules as Record<string, string>,
  };
}

/** What a worker needs to run `suites` of `kata` on `impl`. */
export function kataWorkerSpec(kata: KataInfo, impl: string, suites: readonly string[], traces = false): WorkerSpec {
  return { impl, kataId: kata.id, exports: kata.exports, suites, traces, readmeRules: kata.readmeRules };
}

/** Every kata under root/katas, in course order. */
export function listKatas(root: string): KataInfo[] {
  return kataIds(root).map((d) => readKata(root, d));
}

/** katas/course.json's order (ids), or [] when there is none. Names of missing folders are kept: callers filter. */
export function courseOrder(root: string): string[] {
  const file = path.join(root, "katas", "course.json");
  if (!fs.existsSync(file)) return [];
  let order: unknown;
  try {
    order = (JSON.parse(fs.readFileSync(file, "utf8")) as { order?: unknown }).order;
  } catch (e) {
    throw new CatalogError(`katas/course.json is not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(order) || !order.every((x) => typeof x === "string")) throw new CatalogError(`katas/course.json needs "order": a list of kata folder names`);
  return order as string[];
}

/**
 * Kata folder names under root/katas, in course order: by notebook (the two digits),
 * then as katas/course.json lists them, then by name for those it does not list.
 */
export function kataIds(root: string): string[] {
  const dir = path.join(root, "katas");
  if (!fs.existsSync(dir)) return [];
  const ids = fs.readdirSync(dir).filter((d) => KATA_DIR.test(d) && fs.statSync(path.join(dir, d)).isDirectory());
  const order = courseOrder(root);
  const rank = (id: string): number => (order.includes(id) ? order.indexOf(id) : order.length);
  return ids.sort((a, b) => a.slice(0, 2).localeCompare(b.slice(0, 2)) || rank(a) - rank(b) || a.localeCompare(b));
}

/** The katas of one notebook ("04" or "4"), in course order. */
export function notebookKatas(root: string, notebook: string): KataInfo[] {
  const n = notebook.padStart(2, "0");
  return kataIds(root)
    .filter((k) => k.startsWith(n + "-"))
    .map((d) => readKata(root, d));
}

/** Find a kata by full id ("05-amd-iommu-v2"), number ("05", "5": the first in course order) or slug ("amd-iommu-v2"). */
export function findKata(root: string, name: string): KataInfo | undefined {
  const n = /^\d+$/.test(name) ? name.padStart(2, "0") : null;
  const id = kataIds(root).find((k) => k === name || (n !== null && k.startsWith(n + "-")) || k.slice(3) === name);
  return id ? readKata(root, id) : undefined;
}

/** Check a loaded module has what the kata needs; returns a one-line reason or null. */
export function missingExports(kata: KataInfo, mod: Record<string, unknown>): string | null {
  const missing = kata.exports.filter((e) => mod[e] === undefined);
  if (!missing.length) return null;
  return `${path.basename(kata.file)} does not export ${missing.map((m) => `\`${m}\``).join(", ")} (kata ${kata.id} needs ${kata.exports.join(", ")})`;
}
