/** Copying the course's files by rule, and writing outputs without clobbering a user's files. */
import * as fs from "fs";
import * as path from "path";

/** Every file under `dir` (relative, "/"-separated), skipping `skip(rel)` subtrees and files. */
export function walk(dir: string, skip: (rel: string, isDir: boolean) => boolean, rel = ""): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (skip(r, e.isDirectory())) continue;
    if (e.isDirectory()) out.push(...walk(dir, skip, r));
    else if (e.isFile()) out.push(r);
  }
  return out;
}

export function copyFiles(from: string, to: string, files: readonly string[]): void {
  for (const rel of files) {
    const dst = path.join(to, ...rel.split("/"));
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.copyFileSync(path.join(from, ...rel.split("/")), dst);
  }
}

/** Write `text` to `file` through a temporary file and a rename: a reader never sees half of it. */
export function writeAtomic(file: string, text: string | Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** A directory we may fill: absent, empty, or one we made before (it holds `marker`). */
export function isOursOrEmpty(dir: string, marker: string): boolean {
  if (!fs.existsSync(dir)) return true;
  if (!fs.statSync(dir).isDirectory()) return false;
  const entries = fs.readdirSync(dir);
  return entries.length === 0 || entries.includes(marker);
}
