// Mutation benchmark (`npm run bench`): StrykerJS mutates each kata's reference
// solution (its vitest runner runs the kata's hidden tests on every mutant) and this
// prints, per kata, the share of generated mutants the hidden tests kill and the
// survivors. MUTATION_KATAS=id,id limits it to some katas; MUTATION=0 skips it;
// MUTATION=report prints the last run's report again.
// Survivors a kata's mutants/MUTATION-NOTES.md explains as equivalent (same behaviour in every
// run the kernel allows) are left out of its score and counted apart; a note that no
// longer matches a survivor is printed as stale. Reports figures; asserts nothing.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const oneLine = (x) => String(x ?? "").replace(/\s+/g, " ");

/**
 * The equivalent mutants a kata's notes list, one per line, named as the survivors are
 * printed: "- `file.ts:LINE:COLUMN` Mutator `replacement`: why".
 */
function equivalents(kata) {
  // Beside the mutants: instructors only, never in the student release.
  const file = path.join(ROOT, "katas", kata, "mutants", "MUTATION-NOTES.md");
  if (!fs.existsSync(file)) return new Map();
  const notes = new Map();
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const m = /^- `([^`:]+:\d+:\d+)` (\w+) `(.*?)`: (.+)$/.exec(line);
    if (m) notes.set(`${m[1]} ${m[2]} ${oneLine(m[3])}`, m[4]);
  }
  return notes;
}
const REPORT = path.join(ROOT, "test-artifacts/mutation/mutation.json");
const LOG = path.join(ROOT, "test-artifacts/mutation/stryker.log");

function runStryker() {
  fs.mkdirSync(path.dirname(LOG), { recursive: true });
  fs.rmSync(REPORT, { force: true });
  const stryker = path.join(ROOT, "node_modules/@stryker-mutator/core/bin/stryker.js");
  const r = spawnSync(process.execPath, [stryker, "run", "scripts/bench/mutation/stryker.config.mjs"], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 28 });
  fs.writeFileSync(LOG, `${r.stdout ?? ""}${r.stderr ?? ""}`);
  return r;
}

if (process.env.MUTATION === "0") {
  console.log("mutation testing of the solutions: skipped (MUTATION=0)");
} else {
  // MUTATION=report prints the last run's report again (after a change to the notes).
  const again = process.env.MUTATION === "report";
  const t0 = performance.now();
  const r = again ? { status: 0 } : runStryker();
  const minutes = (performance.now() - t0) / 60_000;
  if (r.status !== 0 || !fs.existsSync(REPORT)) {
    console.log(`mutation testing of the solutions: StrykerJS failed (exit ${r.status}); see ${path.relative(ROOT, LOG)}`);
  } else {
    const files = JSON.parse(fs.readFileSync(REPORT, "utf8")).files;
    const DETECTED = new Set(["Killed", "Timeout"]);
    const UNDETECTED = new Set(["Survived", "NoCoverage"]);
    let allDetected = 0;
    let allCounted = 0;
    let allEquivalent = 0;
    console.log(`mutation testing of the solutions (StrykerJS, vitest runner; ${again ? "the last run" : `${minutes.toFixed(1)} min`}): killed by the hidden tests / mutants that are not equivalent (survivors)`);
    for (const [file, f] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
      const kata = file.split("/")[1];
      const notes = equivalents(kata);
      const at = (m) => `${path.basename(file)}:${m.location.start.line}:${m.location.start.column}`;
      const key = (m) => `${at(m)} ${m.mutatorName} ${oneLine(m.replacement)}`;
      const detected = f.mutants.filter((m) => DETECTED.has(m.status));
      const undetected = f.mutants.filter((m) => UNDETECTED.has(m.status));
      const equivalent = undetected.filter((m) => notes.has(key(m)));
      const survivors = undetected.filter((m) => !notes.has(key(m)));
      const stale = [...notes.keys()].filter((k) => !undetected.some((m) => key(m) === k));
      const counted = detected.length + survivors.length;
      allDetected += detected.length;
      allCounted += counted;
      allEquivalent += equivalent.length;
      const score = counted ? (100 * detected.length) / counted : 100;
      const apart = [
        equivalent.length ? `${equivalent.length} equivalent, see katas/${kata}/mutants/MUTATION-NOTES.md` : "",
        f.mutants.length > detected.length + undetected.length ? `${f.mutants.length - detected.length - undetected.length} not counted: compile errors, ignored` : "",
      ].filter(Boolean);
      console.log(`  ${kata.padEnd(28)} ${String(detected.length).padStart(4)} / ${String(counted).padEnd(4)} ${score.toFixed(1).padStart(5)}%${apart.length ? ` (${apart.join("; ")})` : ""}`);
      for (const m of survivors) {
        console.log(`      ${m.status === "NoCoverage" ? "not reached" : "survived"}: ${at(m)} ${m.mutatorName} \`${oneLine(m.replacement).slice(0, 80)}\``);
      }
      for (const k of stale) console.log(`      stale note (no such survivor now): ${k}`);
    }
    console.log(`  all katas: ${allDetected} / ${allCounted} = ${allCounted ? ((100 * allDetected) / allCounted).toFixed(1) : "100.0"}% (target 90% per kata; ${allEquivalent} equivalent mutants left out)`);
  }
}
