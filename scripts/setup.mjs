#!/usr/bin/env node
// Idempotent course setup. Plain Node, no dependencies: it runs before node_modules exists.
//
//   node scripts/setup.mjs              npm packages + project-local tslab kernelspec
//   node scripts/setup.mjs --jupyter    ... and JupyterLab (pinned, from the Python package index, into
//                                       .course/venv) unless one is installed; Debian's classic
//                                       Notebook only where that cannot be done
//   node scripts/setup.mjs --chromium   ... and a Chromium or Chrome (Debian's chromium if there is none)
//   --retry-lab                         try installing JupyterLab again after a failed attempt
//
// Each action prints one line. Errors print one line and exit non-zero.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {
  CHROMIUM_DEBS,
  JUPYTERLAB_VERSION,
  JUPYTER_DEBS,
  KERNEL_JSON,
  LAB_FAILED_FILE,
  ROOT,
  UserError,
  VENV_DIR,
  VENV_PYTHON,
  findCourseJupyter,
  isExecutable,
  labFailure,
  probePython,
  pythonEnv,
  runMain,
  which,
  writeKernelSpec,
} from "./course/lib.mjs";
import { browserMissingMessage, puppeteerLaunchOptions } from "./notebooks/render-diagrams.mjs";

const say = (msg) => console.log(`setup: ${msg}`);
const rel = (p) => path.relative(ROOT, p) || ".";

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

/** npm ci (or npm install without a lock) when node_modules is missing or older than the lock. */
function ensureNodeModules() {
  const lock = path.join(ROOT, "package-lock.json");
  const manifest = fs.existsSync(lock) ? lock : path.join(ROOT, "package.json");
  // npm writes node_modules/.package-lock.json at the end of every install: it dates the tree.
  const stamp = path.join(ROOT, "node_modules", ".package-lock.json");
  const have = mtime(stamp);
  const want = mtime(manifest);
  let reason = null;
  if (!fs.existsSync(path.join(ROOT, "node_modules"))) reason = "node_modules is missing";
  else if (have === null) reason = "node_modules was not installed by npm";
  else if (want !== null && have < want) reason = `node_modules is older than ${rel(manifest)}`;
  if (!reason) {
    say("node_modules is up to date");
    return;
  }
  const args = fs.existsSync(lock) ? ["ci", "--no-audit", "--no-fund"] : ["install", "--no-audit", "--no-fund"];
  say(`running npm ${args[0]} (${reason})`);
  // No browser download here: .puppeteerrc.cjs and package.json's allowScripts see to that.
  const r = spawnSync("npm", args, { cwd: ROOT, stdio: "inherit" });
  if (r.error) throw new UserError(`could not run npm: ${r.error.message}`);
  if (r.status !== 0) throw new UserError(`npm ${args[0]} failed with exit code ${r.status} (see npm's output above)`);
  // Date the tree after npm is done, in case npm rewrote the lock after its stamp.
  if (fs.existsSync(stamp)) {
    const now = new Date();
    fs.utimesSync(stamp, now, now);
  }
}

function canSudo() {
  if (!which("sudo")) return false;
  return spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0;
}

/** Install Debian packages as root or with passwordless sudo; otherwise tell the user the one command. */
function aptInstall(what, debs) {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const hasApt = isExecutable("/usr/bin/apt-get");
  if (!hasApt) {
    const hint =
      what === "Jupyter"
        ? "install JupyterLab your usual way (e.g. pipx install jupyterlab), or set TLBKATA_PYTHON to a python3 that has it"
        : "install Chromium or Chrome, then export PUPPETEER_EXECUTABLE_PATH=/path/to/chrome";
    console.error(`setup: ${what} is missing and this system has no apt-get. Do this, then run setup again:`);
    console.error(`  ${hint}`);
    throw new UserError(`${what} is missing`);
  }
  const sudo = isRoot ? [] : canSudo() ? ["sudo", "-n"] : null;
  if (sudo === null) {
    console.error(`setup: ${what} is missing. Run this one command, then run setup again:`);
    console.error(`  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${debs.join(" ")}`);
    throw new UserError(`${what} is missing`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const apt = (args) => {
    const cmd = [...sudo, "apt-get", ...args];
    const r = spawnSync(cmd[0], cmd.slice(1), { env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    if (r.error) throw new UserError(`could not run apt-get: ${r.error.message}`);
    if (r.status !== 0) {
      const out = `${r.stderr ?? ""}\n${r.stdout ?? ""}`;
      const first = out.split("\n").find((l) => /^E:/.test(l)) ?? out.trim().split("\n").pop() ?? "";
      throw new UserError(`apt-get ${args.find((a) => !a.startsWith("-"))} failed (exit ${r.status}): ${first.trim()}`);
    }
  };
  say(`installing Debian packages for ${what}: ${debs.join(" ")} (about a minute)`);
  const t0 = Date.now();
  apt(["update", "-qq"]);
  apt(["install", "-y", "-qq", "--no-install-recommends", ...debs]);
  say(`installed ${debs.join(" ")} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

/** Run a command quietly; on failure, throw a UserError with `what` and the most telling line of its output. */
function quiet(cmd, args, what) {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: pythonEnv(), maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new UserError(`${what}: ${r.error.message}`);
  if (r.status !== 0) {
    const lines = `${r.stderr ?? ""}\n${r.stdout ?? ""}`.split("\n").map((l) => l.trim()).filter(Boolean);
    const line = lines.find((l) => /^(ERROR|E):|Error:|error:/.test(l)) ?? lines.pop() ?? `exit ${r.status}`;
    throw new UserError(`${what}: ${line}`);
  }
}

/** A Python 3.9+ that can make virtual environments (`python3` on PATH first, then Debian's). */
function venvBasePython() {
  const tried = [];
  for (const py of [which("python3"), "/usr/bin/python3"]) {
    if (!py || tried.includes(py) || !isExecutable(py)) continue;
    tried.push(py);
    const r = spawnSync(py, ["-c", "import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 9))"], { env: pythonEnv() });
    if (r.status === 0) return py;
  }
  if (tried.length === 0) throw new UserError("there is no python3 (install Python 3.9 or newer)");
  // Debian splits venv/ensurepip off into python3-venv.
  if (tried.includes("/usr/bin/python3") && isExecutable("/usr/bin/apt-get")) {
    aptInstall("Python's venv module", ["python3-venv"]);
    return "/usr/bin/python3";
  }
  throw new UserError(`${tried.join(" and ")} cannot make a virtual environment (install Python's venv module)`);
}

/** Install the pinned JupyterLab into .course/venv (creating the venv when needed). */
function installJupyterLab() {
  const have = probePython(VENV_PYTHON);
  if (!have) {
    const base = venvBasePython();
    fs.rmSync(VENV_DIR, { recursive: true, force: true }); // a half-made venv from an interrupted run
    say(`creating a virtual environment for Jupyter: ${rel(VENV_DIR)} (from ${base})`);
    quiet(base, ["-m", "venv", VENV_DIR], "python3 -m venv failed");
  }
  const t0 = Date.now();
  say(`installing JupyterLab ${JUPYTERLAB_VERSION} from the Python package index into ${rel(VENV_DIR)} (20-60 s)`);
  quiet(
    VENV_PYTHON,
    ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--retries", "2", "--timeout", "30", `jupyterlab==${JUPYTERLAB_VERSION}`],
    "pip install jupyterlab failed",
  );
  say(`installed JupyterLab ${JUPYTERLAB_VERSION} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

function describe(j) {
  return `${j.name} (${j.origin}: ${j.python})`;
}

/**
 * JupyterLab for the course: the one you have, else the pinned one installed into .course/venv.
 * Where that cannot be done (no Python package index, no venv), Debian's classic Notebook, and
 * the reason is kept in .course/jupyterlab-failed.txt for the launcher to repeat.
 */
function ensureJupyter(retryLab) {
  let j = findCourseJupyter();
  const venvIsStale = j?.python === VENV_PYTHON && j.version !== JUPYTERLAB_VERSION;
  if (j?.kind === "lab" && !venvIsStale) {
    say(`Jupyter found: ${describe(j)}`);
    return;
  }
  const failed = labFailure();
  if (failed && !retryLab) {
    say(`not installing JupyterLab again (it failed before: ${failed}); node scripts/setup.mjs --jupyter --retry-lab tries again`);
  } else {
    try {
      installJupyterLab();
      fs.rmSync(LAB_FAILED_FILE, { force: true });
      j = findCourseJupyter();
      if (j?.kind === "lab") {
        say(`Jupyter ready: ${describe(j)}`);
        return;
      }
      throw new UserError(`JupyterLab is still not usable from ${rel(VENV_PYTHON)} after installing it`);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      fs.mkdirSync(path.dirname(LAB_FAILED_FILE), { recursive: true });
      fs.writeFileSync(LAB_FAILED_FILE, `${e.message}\n`);
      say(`could not install JupyterLab (${e.message}); falling back to Debian's Jupyter Notebook`);
    }
  }
  if (!j) {
    aptInstall("Jupyter", JUPYTER_DEBS);
    j = findCourseJupyter();
    if (!j) throw new UserError("Jupyter is still missing after installing the Debian packages");
  }
  say(`Jupyter found: ${describe(j)}`);
}

function ensureChromium() {
  const custom = process.env.PUPPETEER_EXECUTABLE_PATH;
  if (custom) {
    if (!isExecutable(custom)) throw new UserError(`PUPPETEER_EXECUTABLE_PATH=${custom} is not an executable file`);
    say(`browser found: ${custom} (from PUPPETEER_EXECUTABLE_PATH)`);
    return;
  }
  let browser = puppeteerLaunchOptions().executablePath;
  if (!isExecutable(browser)) {
    if (!isExecutable("/usr/bin/apt-get")) throw new UserError(browserMissingMessage());
    aptInstall("Chromium", CHROMIUM_DEBS);
    browser = puppeteerLaunchOptions().executablePath;
    if (!isExecutable(browser)) throw new UserError("/usr/bin/chromium is still missing after installing it");
  }
  say(`browser found: ${browser}`);
}

function main() {
  const argv = process.argv.slice(2);
  const known = new Set(["--jupyter", "--chromium", "--retry-lab", "--help", "-h"]);
  const unknown = argv.filter((a) => !known.has(a));
  if (unknown.length) throw new UserError(`unknown option ${unknown[0]} (options: --jupyter --chromium --retry-lab)`);
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log("usage: node scripts/setup.mjs [--jupyter [--retry-lab]] [--chromium]");
    return 0;
  }
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 20) throw new UserError(`Node ${process.versions.node} is too old: the course needs Node 20.19 or newer`);

  ensureNodeModules();
  if (argv.includes("--jupyter")) ensureJupyter(argv.includes("--retry-lab"));
  if (argv.includes("--chromium")) ensureChromium();
  const state = writeKernelSpec();
  say(`kernelspec ${state === "written" ? "written" : "up to date"}: ${rel(KERNEL_JSON)}`);
  return 0;
}

runMain("setup", main);
