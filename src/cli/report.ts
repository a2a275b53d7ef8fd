/** How kata results are shown: a learner's text report, and KTAP (the kernel's test output format). */
import * as path from "path";
import type { KataInfo } from "../kata/catalog";
import type { JobResult } from "../kata/job";

const indent = (text: string, pad: string): string =>
  text
    .split("\n")
    .map((l) => pad + l)
    .join("\n");

export function points(r: JobResult): { score: number; max: number; passed: boolean } {
  const score = r.results.reduce((n, x) => n + x.score, 0);
  const max = r.cases.reduce((n, c) => n + c.points, 0);
  return { score, max, passed: r.results.every((x) => x.ok) };
}

export function textReport(kata: KataInfo, r: JobResult, o: { traces: boolean; color: boolean; typeErrors?: readonly string[] }): string {
  const green = (s: string) => (o.color ? `\x1b[32m${s}\x1b[0m` : s);
  const red = (s: string) => (o.color ? `\x1b[31m${s}\x1b[0m` : s);
  const lines = [`${kata.id}  ${kata.title}  (${path.relative(process.cwd(), kata.file) || kata.file})`];
  if (r.loadError) {
    lines.push(red(`  ✗ ${r.loadError}`));
  } else {
    r.results.forEach((x) => {
      lines.push(`  ${x.ok ? green("✓") : red("✗")} ${x.name}  (${x.score}/${x.points})`);
      if (!x.ok && x.message) lines.push(indent(x.message, "      "));
      if (!x.ok && o.traces && x.traceText) lines.push(indent(x.traceText, "      | "));
    });
  }
  const p = points(r);
  lines.push(`  ${p.score}/${p.max} points: ${p.passed ? green("passing") : red("failing")}`);
  if (o.typeErrors?.length) lines.push("  TypeScript finds type errors (they may explain a failure):", ...o.typeErrors.map((t) => `    ${t}`));
  if (r.output.trim()) lines.push(`  your code printed (first lines):`, indent(r.output.trim().split("\n").slice(0, 5).join("\n"), "    > "));
  return lines.join("\n");
}

/** KTAP: one subtest per kata, one test line per case, failures explained in diagnostic lines. */
export function ktapReport(runs: readonly { kata: KataInfo; result: JobResult; typeErrors?: readonly string[] }[]): string {
  const out = ["KTAP version 1", `1..${runs.length}`];
  runs.forEach(({ kata, result, typeErrors }, k) => {
    out.push("    KTAP version 1", `    # Subtest: ${kata.id}`, `    1..${result.cases.length}`);
    for (const t of typeErrors ?? []) out.push(`    # type error: ${t}`);
    result.results.forEach((x, i) => {
      if (!x.ok) for (const l of (x.message ?? "failed").split("\n")) out.push(`    # ${l}`);
      out.push(`    ${x.ok ? "ok" : "not ok"} ${i + 1} ${x.name.replace(/#/g, "")}`);
    });
    const p = points(result);
    out.push(`# ${kata.id}: ${p.score}/${p.max} points`);
    out.push(`${p.passed ? "ok" : "not ok"} ${k + 1} ${kata.id}`);
  });
  return out.join("\n");
}
