// `npm run feedback:audit [-- KATA...]`: what a student would read. Every hand-written
// mutant of every kata (or of the katas named) is graded the way `tlbkata grade` grades
// a submission (a worker per kata, hidden tests only; unsandboxed, as `tlbkata validate`
// runs trusted code), and the feedback of each failed test is printed, per kata and
// mutant, with the rule it was charged under. Reading it is the audit; the properties
// every message must have are asserted by test/katas/feedback-audit.test.ts.
// Needs the built package (`npm run build`).
import { createRequire } from "node:module";
import * as path from "node:path";
const require = createRequire(import.meta.url);

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
let tk;
try {
  tk = require(path.join(ROOT, "src/dist/index.js"));
} catch {
  console.error("feedback-audit: the package is not built: run `npm run build` first");
  process.exit(2);
}

// Piped into head: stop quietly when the reader has had enough.
process.stdout.on("error", (e) => process.exit(e.code === "EPIPE" ? 0 : 1));

const want = process.argv.slice(2);
const katas = tk.listKatas(ROOT).filter((k) => !want.length || want.includes(k.id));
const unknown = want.filter((id) => !katas.some((k) => k.id === id));
if (unknown.length) {
  console.error(`feedback-audit: no kata named ${unknown.join(", ")} (katas: ${tk.listKatas(ROOT).map((k) => k.id).join(", ")})`);
  process.exit(2);
}

const indent = (text, by) => text.split("\n").map((l) => by + l).join("\n");

for (const kata of katas) {
  console.log(`# ${kata.id}`);
  for (const m of kata.mutants) {
    const r = await tk.runKataJob(tk.kataWorkerSpec(kata, m, kata.hidden), { caseTimeoutMs: 60_000, cwd: kata.dir });
    console.log(`\n## ${path.basename(m, ".ts")}`);
    if (r.loadError) {
      console.log(`  does not load: ${r.loadError}`);
      continue;
    }
    for (const t of r.results.filter((x) => !x.ok)) {
      console.log(`  ✗ ${t.suite} / ${t.name}${t.rule ? ` [${t.rule}]` : ""}`);
      console.log(indent(t.message ?? "failed", "      "));
    }
  }
  console.log("");
}
