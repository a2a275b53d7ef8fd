// Mutation benchmark (`npm run bench`): StrykerJS mutates each kata's reference
// solution (its vitest runner runs the kata's hidden tests on every mutant) and this
// prints, per kata, the share of generated mutants the hidden tests kill and the
// survivors. MUTATION_KATAS=id,id limits it to some katas; MUTATION=0 skips it.
// Reports figures; asserts nothing.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const REPORT = path.join(ROOT, "test-artifacts/mutation/mutation.json");
const LOG = path.join(ROOT, "test-artifacts/mutation/stryker.log");

if (process.env.MUTATION === "0") {
  console.log("mutation testing of the solutions: skipped (MUTATION=0)");
} else {
  fs.mkdirSync(path.dirname(LOG), { recursive: true });
  fs.rmSync(REPORT, { force: true });
  const t0 = performance.now();
  const stryker = path.join(ROOT, "node_modules/@stryker-mutator/core/bin/stryker.js");
  const r = spawnSync(process.execPath, [stryker, "run", "scripts/bench/mutation/stryker.config.mjs"], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 28 });
  fs.writeFileSync(LOG, `${r.stdout ?? ""}${r.stderr ?? ""}`);
  const minutes = (performance.now() - t0) / 60_000;
  if (r.status !== 0 || !fs.existsSync(REPORT)) {
    console.log(`mutation testing of the solutions: StrykerJS failed (exit ${r.status}); see ${path.relative(ROOT, LOG)}`);
  } else {
    const files = JSON.parse(fs.readFileSync(REPORT, "utf8")).files;
    const DETECTED = new Set(["Killed", "Timeout"]);
    const UNDETECTED = new Set(["Survived", "NoCoverage"]);
    let allDetected = 0;
    let allCounted = 0;
    console.log(`mutation testing of the solutions (StrykerJS, vitest runner; ${minutes.toFixed(1)} min): killed by the hidden tests / mutants (survivors)`);
    for (const [file, f] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
      const kata = file.split("/")[1];
      const detected = f.mutants.filter((m) => DETECTED.has(m.status));
      const undetected = f.mutants.filter((m) => UNDETECTED.has(m.status));
      const counted = detected.length + undetected.length;
      allDetected += detected.length;
      allCounted += counted;
      const score = counted ? (100 * detected.length) / counted : 100;
      console.log(`  ${kata.padEnd(28)} ${String(detected.length).padStart(4)} / ${String(counted).padEnd(4)} ${score.toFixed(1).padStart(5)}%${f.mutants.length > counted ? ` (${f.mutants.length - counted} not counted: compile errors, ignored)` : ""}`);
      for (const m of undetected) {
        const at = `${path.basename(file)}:${m.location.start.line}`;
        console.log(`      ${m.status === "NoCoverage" ? "not reached" : "survived"}: ${at} ${m.mutatorName}: ${String(m.replacement ?? "").replace(/\s+/g, " ").slice(0, 80)}`);
      }
    }
    console.log(`  all katas: ${allDetected} / ${allCounted} = ${allCounted ? ((100 * allDetected) / allCounted).toFixed(1) : "100.0"}% (target 90% per kata)`);
  }
}
