// Baseline for the grading benchmark: each kata's hidden suites on one submission, as plain vitest tests.
import { test } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { listKatas, runSuite, type KataSuite } from "tlbkata";

const ROOT = path.resolve(__dirname, "../..");
const SUB = process.env.TLBKATA_SUBMISSION ?? "";
const hostile = /process\.(exit|kill)|readFileSync|for \(;;\)|prototype\.|hoard/;

for (const k of listKatas(ROOT).filter((x) => x.hidden.length)) {
  const file = path.join(SUB, "katas", k.id, path.basename(k.file));
  test(k.id, async () => {
    if (!fs.existsSync(file) || hostile.test(fs.readFileSync(file, "utf8"))) return;
    let impl: Record<string, unknown>;
    try {
      impl = (await import(file)) as Record<string, unknown>;
    } catch {
      return;
    }
    for (const h of k.hidden) runSuite(((await import(h)) as { default: KataSuite<unknown> }).default, impl);
  });
}
