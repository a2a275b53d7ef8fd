// Shared helpers for the course scripts (setup, launcher, notebook harness).
// Plain Node, no dependencies: setup.mjs imports this before node_modules exists.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The folder put on JUPYTER_PATH; it holds kernels/tslab/kernel.json. */
export const JUPYTER_DIR = path.join(ROOT, ".course", "jupyter");
export const KERNEL_JSON = path.join(JUPYTER_DIR, "kernels", "tslab", "kernel.json");
export const TSLAB_BIN = path.join(ROOT, "node_modules", ".bin", "tslab");
export const NOTEBOOKS_DIR = path.join(ROOT, "notebooks");

/** Debian packages that give a real Jupyter (server, nbclient, nbconvert) on /usr/bin/python3. */
export const JUPYTER_DEBS = ["jupyter-notebook", "jupyter-nbconvert", "python3-nbclient", "python3-ipykernel"];
export const CHROMIUM_DEBS = ["chromium"];

/** An error meant for the user: printed as one line, without a stack trace. */
export class UserError extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Run main(); turn any failure into one line on stderr and a non-zero exit. */
export function runMain(prefix, main) {
  Promise.resolve()
    .then(main)
    .then(
      (code) => {
        if (typeof code === "number") process.exitCode = code;
      },
      (err) => {
        const msg = err instanceof Error ? err.message : String(err);
        console.error(`${prefix}: error: ${msg.split("\n")[0]}`);
        process.exitCode = err instanceof UserError ? err.exitCode : 1;
      },
    );
}

export function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** First executable named `name` on PATH, or null. */
export function which(name) {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

/** Environment for the course's Python: drop variables another pyenv/venv Python may have set. */
export function pythonEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  delete env.PYTHONHOME;
  delete env.PYTHONPATH;
  delete env.VIRTUAL_ENV;
  return env;
}

/** The project's own virtual environment, where `npm run course` installs JupyterLab. */
export const VENV_DIR = path.join(ROOT, ".course", "venv");
export const VENV_PYTHON = path.join(VENV_DIR, "bin", "python");
/** The JupyterLab the project installs (pinned; the Python package index serves it). */
export const JUPYTERLAB_VERSION = "4.6.6";
/** Written when installing JupyterLab failed: its one line says why (the launcher repeats it). */
export const LAB_FAILED_FILE = path.join(ROOT, ".course", "jupyterlab-failed.txt");

// Prints the versions of the Jupyter modules a Python has (null for a missing one), as JSON.
const PROBE = `
import json, importlib
out = {}
for m in ("jupyterlab", "notebook", "nbclient", "jupyter_client", "jupyter_core", "nbformat"):
    try:
        out[m] = getattr(importlib.import_module(m), "__version__", "?")
    except Exception:
        out[m] = None
print(json.dumps(out))
`;

/** Versions of the Jupyter modules `python` can import, or null when it does not run. */
export function probePython(python) {
  if (!python || !isExecutable(python)) return null;
  const r = spawnSync(python, ["-c", PROBE], { encoding: "utf8", env: pythonEnv() });
  if (r.status !== 0) return null;
  try {
    return JSON.parse(r.stdout.trim().split("\n").pop());
  } catch {
    return null;
  }
}

/** The interpreter named on the first line of a script (`#!/path/python`), or null. */
function shebangPython(script) {
  try {
    const first = fs.readFileSync(script, "utf8").slice(0, 300).split("\n")[0];
    const m = /^#!\s*(\S+python[\d.]*)\s*$/.exec(first);
    return m ? m[1] : null;
  } catch {
    return null;
  }
}

/**
 * The Jupyter the course runs on, in this order:
 *   1. TLBKATA_PYTHON, when set (a Python with your own Jupyter);
 *   2. JupyterLab in the project's venv (.course/venv, installed by setup);
 *   3. a JupyterLab you installed (the `jupyter-lab` on PATH, and the Python it runs on);
 *   4. Debian's classic Notebook on /usr/bin/python3 (the fallback).
 * Returns { kind: "lab" | "notebook", python, version, name, origin } or null. Every candidate
 * must also have nbclient (the notebook tests run through it).
 */
export function findCourseJupyter() {
  const candidates = [];
  if (process.env.TLBKATA_PYTHON) candidates.push([process.env.TLBKATA_PYTHON, "TLBKATA_PYTHON"]);
  else {
    candidates.push([VENV_PYTHON, "the project's venv, .course/venv"]);
    const lab = which("jupyter-lab");
    const labPython = lab && shebangPython(lab);
    if (labPython && labPython !== VENV_PYTHON) candidates.push([labPython, `yours, ${lab}`]);
    candidates.push(["/usr/bin/python3", "Debian's"]);
  }
  for (const [python, origin] of candidates) {
    const v = probePython(python);
    if (!v || !v.nbclient || !v.jupyter_client || !v.nbformat) continue;
    if (v.jupyterlab) return { kind: "lab", python, version: v.jupyterlab, name: `JupyterLab ${v.jupyterlab}`, origin };
    if (v.notebook) return { kind: "notebook", python, version: v.notebook, name: `Jupyter Notebook ${v.notebook}`, origin };
  }
  return null;
}

/** The Python that runs the course's Jupyter (see findCourseJupyter), or null. */
export function findJupyterPython() {
  return findCourseJupyter()?.python ?? null;
}

/** Why JupyterLab could not be installed, as setup recorded it, or null. */
export function labFailure() {
  try {
    return fs.readFileSync(LAB_FAILED_FILE, "utf8").trim() || null;
  } catch {
    return null;
  }
}

/** The command that starts the front end: `python -m jupyterlab` or `python -m notebook`. */
export function jupyterCommand(jupyter) {
  return [jupyter.python, "-m", jupyter.kind === "lab" ? "jupyterlab" : "notebook"];
}

/** JUPYTER_PATH with the project's own folder first, then whatever the user had. */
export function jupyterPath() {
  const parts = [JUPYTER_DIR];
  for (const p of (process.env.JUPYTER_PATH ?? "").split(path.delimiter)) {
    if (p && p !== JUPYTER_DIR) parts.push(p);
  }
  return parts.join(path.delimiter);
}

/** Environment for anything that starts the tslab kernel through Jupyter. */
export function kernelEnv(extra = {}) {
  const nodeDir = path.dirname(process.execPath);
  const PATH = [nodeDir, ...(process.env.PATH ?? "").split(path.delimiter).filter((p) => p && p !== nodeDir)].join(
    path.delimiter,
  );
  return pythonEnv({ JUPYTER_PATH: jupyterPath(), PATH, ...extra });
}

/** The kernelspec's content: the project's own tslab, run by the Node that runs this script. */
export function kernelSpec() {
  return {
    argv: [process.execPath, TSLAB_BIN, "kernel", "--config-path", "{connection_file}"],
    display_name: "TypeScript",
    language: "typescript",
    metadata: { note: "Written by scripts/setup.mjs for this checkout; regenerated on every setup." },
  };
}

/**
 * Write .course/jupyter/kernels/tslab/kernel.json if missing or different.
 * Returns "written" or "unchanged". Throws UserError when tslab is not installed.
 */
export function writeKernelSpec() {
  if (!fs.existsSync(TSLAB_BIN)) {
    throw new UserError(
      `tslab is not installed (${path.relative(ROOT, TSLAB_BIN)} missing): run \`npm install\` (tslab is a devDependency)`,
    );
  }
  const text = JSON.stringify(kernelSpec(), null, 2) + "\n";
  let old = null;
  try {
    old = fs.readFileSync(KERNEL_JSON, "utf8");
  } catch {
    /* missing */
  }
  if (old === text) return "unchanged";
  fs.mkdirSync(path.dirname(KERNEL_JSON), { recursive: true });
  fs.writeFileSync(KERNEL_JSON, text);
  return "written";
}

/** Notebooks in notebooks/, sorted by name (00-welcome first). */
export function listNotebooks() {
  if (!fs.existsSync(NOTEBOOKS_DIR)) return [];
  return fs
    .readdirSync(NOTEBOOKS_DIR)
    .filter((f) => f.endsWith(".ipynb"))
    .sort()
    .map((f) => path.join(NOTEBOOKS_DIR, f));
}
