/**
 * What a submission holds: for each kata, the learner's file, found in a student
 * bundle (katas/NN-slug/FILE), a folder per kata (NN-slug/FILE), or loose files (FILE).
 * In a bundle, files the learner must not edit are checked against the release
 * manifest's checksums.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { KataInfo } from "../kata/catalog";

export const MANIFEST = "release-manifest.json";

export interface Manifest {
  readonly version: 1;
  /** Path (relative, "/"-separated) -> sha256 of every file the learner must not edit. */
  readonly protected: Readonly<Record<string, string>>;
  /** The files the learner edits, one per kata id. */
  readonly editable: Readonly<Record<string, string>>;
}

export interface SubmittedKata {
  readonly kata: KataInfo;
  /** The learner's file, or null when the submission has none for this kata. */
  readonly file: string | null;
  /** Why this kata gets zero without running (a protected file was edited). */
  readonly tampered?: string;
}

const sha256 = (file: string): string => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/** A student's manifest is read only up to this size, and only this many protected entries are checked. */
export const MAX_MANIFEST = 1 << 20;
const MAX_ENTRIES = 10_000;
/** A protected file larger than this cannot be the release's: it counts as changed without being hashed. */
const MAX_PROTECTED = 4 << 20;

/** A manifest path as the release writes it: relative, "/"-separated, no "." or ".." or empty parts. */
const cleanRel = (rel: string): boolean => rel.length < 400 && rel.split("/").every((p) => p !== "" && p !== "." && p !== ".." && !p.includes("\\") && !p.includes("\0"));

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Find each kata's file in `dir`. Never follows a path outside `dir`. */
export function readSubmission(dir: string, katas: readonly KataInfo[], manifest: Manifest | null): SubmittedKata[] {
  const root = fs.realpathSync(dir);
  const inside = (p: string): string | null => {
    if (!isFile(p)) return null;
    const real = fs.realpathSync(p);
    return real === root || real.startsWith(root + path.sep) ? real : null;
  };
  return katas.map((kata) => {
    const base = path.basename(kata.file);
    const file = inside(path.join(root, "katas", kata.id, base)) ?? inside(path.join(root, kata.id, base)) ?? inside(path.join(root, base));
    let tampered: string | undefined;
    if (manifest) {
      const prefix = `katas/${kata.id}/`;
      const seen = new Set<string>();
      for (const [rel, want] of Object.entries(manifest.protected)) {
        if (!rel.startsWith(prefix) || !cleanRel(rel) || typeof want !== "string") continue;
        const p = inside(path.join(root, ...rel.split("/")));
        // Each file once, whatever names the manifest gives it.
        if (!p || seen.has(p)) continue;
        seen.add(p);
        if (fs.statSync(p).size > MAX_PROTECTED || sha256(p) !== want) {
          tampered = `${rel} was changed (it does not match the release manifest): only ${prefix}${base} may be edited`;
          break;
        }
      }
    }
    return { kata, file, tampered };
  });
}

/** The manifest of a student bundle, or null for a folder of loose files. */
export function readManifest(dir: string): Manifest | null {
  const p = path.join(dir, MANIFEST);
  if (!isFile(p) || fs.statSync(p).size > MAX_MANIFEST) return null;
  try {
    const m = JSON.parse(fs.readFileSync(p, "utf8")) as Manifest;
    if (!m || m.version !== 1 || !m.protected || typeof m.protected !== "object" || Array.isArray(m.protected)) return null;
    const entries = Object.entries(m.protected).slice(0, MAX_ENTRIES);
    return { ...m, protected: Object.fromEntries(entries) };
  } catch {
    return null;
  }
}

export { sha256 };
