/**
 * Grading results in the formats classes use: text for a terminal, JSON, Gradescope's
 * results.json, Exercism's test-runner results (version 3), JUnit XML and Markdown
 * feedback. Everything here is built from graded results only: nothing a submission
 * printed can reach it.
 */
import type { SubmissionResult, KataResult, TestResult } from "./grade";

export const FORMATS = ["text", "json", "gradescope", "exercism", "junit", "markdown"] as const;
export type Format = (typeof FORMATS)[number];

const testName = (k: KataResult, t: TestResult): string => `${k.id} / ${t.suite} / ${t.name}`;

export function toText(r: SubmissionResult): string {
  const lines = [`${r.submission}: ${r.score}/${r.max} points`];
  for (const k of r.katas) {
    lines.push(`  ${k.id}  ${k.score}/${k.max}${k.error ? `  (${k.error})` : ""}`);
    if (k.error) continue;
    for (const t of k.tests) if (!t.ok) lines.push(`    ✗ [${t.suite}] ${t.name} (0/${t.max})`, `        ${t.message ?? "failed"}`);
  }
  return lines.join("\n") + "\n";
}

export function toJson(r: SubmissionResult): string {
  return JSON.stringify(r, null, 2) + "\n";
}

/** https://gradescope-autograders.readthedocs.io/en/latest/specs/ : score, max_score, tests[]. */
export function toGradescope(r: SubmissionResult): string {
  const tests = r.katas.flatMap((k) =>
    k.tests.map((t) => ({
      name: testName(k, t),
      score: t.score,
      max_score: t.max,
      status: t.ok ? "passed" : "failed",
      output: t.ok ? "" : (t.message ?? "failed"),
      visibility: "visible",
    })),
  );
  return JSON.stringify({ score: r.score, max_score: r.max, output: `${r.score}/${r.max} points over ${r.katas.length} katas`, visibility: "visible", stdout_visibility: "hidden", tests }, null, 2) + "\n";
}

/** Exercism test-runner interface, version 3: one task per kata. */
export function toExercism(r: SubmissionResult): string {
  const allOk = r.katas.every((k) => !k.error && k.tests.every((t) => t.ok));
  const loadErrors = r.katas.filter((k) => k.error);
  const tests = r.katas.flatMap((k, i) =>
    k.tests.map((t) => ({ name: testName(k, t), status: t.ok ? "pass" : k.error ? "error" : "fail", message: t.ok ? undefined : t.message, task_id: i + 1 })),
  );
  const status = allOk ? "pass" : loadErrors.length === r.katas.length ? "error" : "fail";
  return JSON.stringify({ version: 3, status, message: status === "error" ? loadErrors[0]!.error : undefined, tests }, null, 2) + "\n";
}

const xml = (s: string): string =>
  s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");

export function toJunit(r: SubmissionResult): string {
  const suites = r.katas.map((k) => {
    const failures = k.tests.filter((t) => !t.ok).length;
    const cases = k.tests.map((t) => {
      const open = `    <testcase classname="${xml(k.id)}.${xml(t.suite)}" name="${xml(t.name)}" time="0">`;
      return t.ok ? `${open}</testcase>` : `${open}\n      <failure message="${xml((t.message ?? "failed").split("\n")[0]!)}">${xml(t.message ?? "failed")}</failure>\n    </testcase>`;
    });
    return `  <testsuite name="${xml(k.id)}" tests="${k.tests.length}" failures="${failures}" errors="0" time="${(k.ms / 1000).toFixed(3)}">\n${cases.join("\n")}\n  </testsuite>`;
  });
  const total = r.katas.reduce((n, k) => n + k.tests.length, 0);
  const failed = r.katas.reduce((n, k) => n + k.tests.filter((t) => !t.ok).length, 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xml(r.submission)}" tests="${total}" failures="${failed}">\n${suites.join("\n")}\n</testsuites>\n`;
}

const md = (s: string): string => s.replace(/[|<>]/g, (c) => ({ "|": "\\|", "<": "&lt;", ">": "&gt;" })[c]!);

export function toMarkdown(r: SubmissionResult): string {
  const out = [`# Feedback: ${md(r.submission)}`, "", `**${r.score} / ${r.max} points**`, "", "| kata | points |", "| --- | --- |"];
  for (const k of r.katas) out.push(`| ${md(k.id)} | ${k.score} / ${k.max} |`);
  for (const k of r.katas) {
    out.push("", `## ${md(k.id)}: ${md(k.title)}`, "");
    if (k.error) {
      out.push(`Not graded: ${md(k.error)}`);
      continue;
    }
    const failed = k.tests.filter((t) => !t.ok);
    if (!failed.length) out.push("Every test passes.");
    for (const t of failed) out.push(`- **${md(t.name)}** (0 / ${t.max}): ${md(t.message ?? "failed")}`);
  }
  return out.join("\n") + "\n";
}

export function render(r: SubmissionResult, f: Format): string {
  switch (f) {
    case "text":
      return toText(r);
    case "json":
      return toJson(r);
    case "gradescope":
      return toGradescope(r);
    case "exercism":
      return toExercism(r);
    case "junit":
      return toJunit(r);
    case "markdown":
      return toMarkdown(r);
  }
}
