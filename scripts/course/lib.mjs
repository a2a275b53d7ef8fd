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

/** Environment for Debian's /usr/bin/python3: drop variables a pyenv/venv Python may have set. */
export function pythonEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  delete env.PYTHONHOME;
  delete env.PYTHONPATH;
  delete env.VIRTUAL_ENV;
  return env;
}

function pythonHasModules(python, modules) {
  if (!isExecutable(python)) return false;
  const r = spawnSync(python, ["-c", `import ${modules.join(", ")}`], { stdio: "ignore", env: pythonEnv() });
  return r.status === 0;
}

/**
 * The Python that runs Jupyter for the course. TLBKATA_PYTHON overrides; otherwise Debian's
 * /usr/bin/python3 (the `python3` on PATH may be a pyenv Python without Jupyter).
 * Returns null when no candidate has nbclient and ipykernel.
 */
export function findJupyterPython() {
  const candidates = process.env.TLBKATA_PYTHON ? [process.env.TLBKATA_PYTHON] : ["/usr/bin/python3", which("python3")];
  for (const py of candidates) {
    if (py && pythonHasModules(py, ["jupyter_core", "nbclient", "ipykernel", "nbformat"])) return py;
  }
  return null;
}

/** The `jupyter` command beside the course Python (or on PATH), or null. */
export function findJupyter(python) {
  if (python) {
    const beside = path.join(path.dirname(python), "jupyter");
    if (isExecutable(beside)) return beside;
  }
  if (isExecutable("/usr/bin/jupyter")) return "/usr/bin/jupyter";
  return which("jupyter");
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
