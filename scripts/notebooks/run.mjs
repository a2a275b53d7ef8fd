#!/usr/bin/env node
// Runs the notebook harness (execute.py) on the course's Jupyter Python (JupyterLab's nbclient
// and jupyter_client in .course/venv, as `npm run course` installs it) with the project's kernelspec.
//
//   node scripts/notebooks/run.mjs test [--json] [--timeout S] [--write | --out DIR] [NOTEBOOK ...]
//   node scripts/notebooks/run.mjs time [NOTEBOOK ...]
//
// `test` prints PASS/FAIL per notebook (with --json: execute.py's JSON lines on stdout and
// PASS/FAIL on stderr) and exits 1 if a cell errors. `time` prints a table of seconds per
// notebook against the course's targets (each notebook < 15 s, all together < 90 s) and exits 1
// if a notebook fails or a target is missed.
// Exit code 3 means Jupyter is not installed.
import { spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { ROOT, UserError, findCourseJupyter, kernelEnv, probePython, runMain, writeKernelSpec } from "../course/lib.mjs";

export const TARGET_NOTEBOOK_SECONDS = 15;
export const TARGET_TOTAL_SECONDS = 90;
const EXECUTE_PY = path.join(path.dirname(fileURLToPath(import.meta.url)), "execute.py");

const USAGE =
  "usage: run.mjs test [--json] [--timeout S] [--write | --out DIR] [NOTEBOOK ...] | run.mjs time [NOTEBOOK ...]";

function parseArgs(argv) {
  const [mode, ...rest] = argv;
  if (mode !== "test" && mode !== "time") throw new UserError(USAGE);
  const opts = { mode, json: false, passthrough: [], notebooks: [] };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === "--json") opts.json = true;
    else if (a === "--write") opts.passthrough.push(a);
    else if (a === "--timeout" || a === "--out") {
      if (rest[i + 1] === undefined) throw new UserError(`${a} needs a value`);
      opts.passthrough.push(a, a === "--out" ? path.resolve(rest[++i]) : rest[++i]);
    } else if (a.startsWith("-")) throw new UserError(`unknown option ${a}. ${USAGE}`);
    else opts.notebooks.push(path.resolve(a));
  }
  if (mode === "time" && opts.passthrough.some((a) => a === "--write" || a === "--out")) {
    throw new UserError("time takes no --write/--out");
  }
  return opts;
}

/** The course's Jupyter, or a UserError (exit 3) saying how to install it. */
function courseJupyter() {
  const j = findCourseJupyter();
  if (!j) throw new UserError("Jupyter is not installed: run `npm run course` or `node scripts/setup.mjs --jupyter`", 3);
  return j;
}

/** Run execute.py; calls onResult for each JSON line; resolves to its exit code. */
export function runHarness(args, onResult, jupyter = courseJupyter()) {
  const python = jupyter.python;
  writeKernelSpec();
  const child = spawn(python, [EXECUTE_PY, ...args], {
    cwd: ROOT,
    env: kernelEnv({ PYTHONUNBUFFERED: "1" }),
    stdio: ["ignore", "pipe", "inherit"],
  });
  const forward = () => child.kill("SIGINT");
  process.on("SIGINT", forward);
  const lines = readline.createInterface({ input: child.stdout });
  lines.on("line", (line) => {
    let r;
    try {
      r = JSON.parse(line);
    } catch {
      console.log(line);
      return;
    }
    onResult(r, line);
  });
  return new Promise((resolve, reject) => {
    child.on("error", (e) => reject(new UserError(`could not start ${python}: ${e.message}`)));
    child.on("close", (code, signal) => {
      process.off("SIGINT", forward);
      resolve(code ?? (signal ? 130 : 1));
    });
  });
}

const fmt = (s) => (typeof s === "number" ? s.toFixed(1) : "-");

function describeFailure(r) {
  const where = r.cell_index !== undefined ? ` cell ${r.cell_index}${r.cell_id ? ` (id ${r.cell_id})` : ""}` : "";
  return `FAIL ${r.notebook}${where}: ${r.error}`;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const jupyter = courseJupyter();
  if (opts.mode === "time") {
    const v = probePython(jupyter.python) ?? {};
    console.log(`${jupyter.name} (${jupyter.origin}): nbclient ${v.nbclient}, jupyter_client ${v.jupyter_client}, one fresh tslab kernel per notebook`);
  }
  const results = [];
  const code = await runHarness([...opts.passthrough, ...opts.notebooks], (r, raw) => {
    results.push(r);
    const human = r.ok ? `PASS ${r.notebook}  ${fmt(r.seconds)} s` : describeFailure(r);
    if (opts.json) {
      console.log(raw);
      console.error(human); // the readable form, kept apart from the JSON lines
    } else if (opts.mode === "test") console.log(human);
  }, jupyter);
  const failed = results.filter((r) => !r.ok).length;
  if (opts.mode === "test") {
    if (!opts.json) console.log(`notebooks: ${results.length - failed} passed, ${failed} failed`);
    return code === 0 && failed === 0 ? 0 : 1;
  }

  // time: a table against the targets.
  const width = Math.max(8, ...results.map((r) => r.notebook.length));
  const row = (a, b, c, d, e) => `${a.padEnd(width)}  ${b.padStart(7)}  ${c.padStart(6)}  ${d.padEnd(14)}  ${e}`;
  console.log(row("notebook", "seconds", "kernel", "slowest cell", "target"));
  let total = 0;
  let missed = 0;
  for (const r of results) {
    total += r.seconds ?? 0;
    const slow = r.slowest_cell ? `#${r.slowest_cell.cell_index} ${fmt(r.slowest_cell.seconds)} s` : "-";
    let verdict = r.seconds < TARGET_NOTEBOOK_SECONDS ? `ok (< ${TARGET_NOTEBOOK_SECONDS} s)` : `OVER ${TARGET_NOTEBOOK_SECONDS} s`;
    if (!r.ok) verdict = `FAILED: ${describeFailure(r).replace(/^FAIL \S+ /, "")}`;
    if (!r.ok || r.seconds >= TARGET_NOTEBOOK_SECONDS) missed++;
    console.log(row(r.notebook, fmt(r.seconds), fmt(r.kernel_start_seconds), slow, verdict));
  }
  const totalOk = total < TARGET_TOTAL_SECONDS;
  console.log(row("total", fmt(total), "", "", totalOk ? `ok (< ${TARGET_TOTAL_SECONDS} s)` : `OVER ${TARGET_TOTAL_SECONDS} s`));
  console.log("(seconds include starting a fresh tslab kernel; 'kernel' is that start alone)");
  return missed === 0 && totalOk && code === 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runMain("notebooks", main);
}
