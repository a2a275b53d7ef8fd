// Shared by the notebook and diagram tests: how to run the real scripts, and what to do
// when a tool they need (Jupyter, Chromium) is not installed.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { it } from "vitest";
import { ROOT } from "../../scripts/course/lib.mjs";

export { ROOT };

export interface NotebookResult {
  notebook: string;
  ok: boolean;
  seconds: number;
  error?: string;
  cell_index?: number;
  cell_id?: string;
  kernel_start_seconds?: number;
}

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run one of the project's Node scripts, the way npm would. */
export function runScript(script: string, args: string[], timeoutMs = 300_000): ScriptRun {
  const r = spawnSync(process.execPath, [path.join(ROOT, script), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: timeoutMs,
  });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** Run the notebook harness on the given notebooks; returns its exit code and parsed JSON lines. */
export function runNotebooks(notebooks: string[], extra: string[] = []): ScriptRun & { results: NotebookResult[] } {
  const run = runScript("scripts/notebooks/run.mjs", ["test", "--json", ...extra, ...notebooks]);
  const results = run.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as NotebookResult);
  return { ...run, results };
}

/**
 * When a tool is missing: in CI (CI set) a failing test says what to install; elsewhere the
 * tests are skipped with a message. Returns true when the tool is there and tests should run.
 */
export function requireTool(available: boolean, what: string, fix: string): boolean {
  if (available) return true;
  const msg = `${what} is not installed: ${fix}`;
  if (process.env.CI) {
    it(`needs ${what} (CI must install it)`, () => {
      throw new Error(`${msg}. CI installs it in .ci/run; this run did not.`);
    });
  } else {
    console.warn(`skipping: ${msg}`);
    it.skip(`needs ${what}: ${fix}`, () => {});
  }
  return false;
}
