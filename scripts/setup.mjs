#!/usr/bin/env node
// Idempotent course setup. Plain Node, no dependencies: it runs before node_modules exists.
//
//   node scripts/setup.mjs              npm packages + project-local tslab kernelspec
//   node scripts/setup.mjs --jupyter    ... and Debian's Jupyter (notebook server, nbclient, ipykernel)
//   node scripts/setup.mjs --chromium   ... and Debian's Chromium (renders the Mermaid diagrams)
//
// Each action prints one line. Errors print one line and exit non-zero.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {
  CHROMIUM_DEBS,
  JUPYTER_DEBS,
  KERNEL_JSON,
  ROOT,
  UserError,
  findJupyter,
  findJupyterPython,
  isExecutable,
  runMain,
  which,
  writeKernelSpec,
} from "./course/lib.mjs";

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
  // Puppeteer (under mermaid-cli) must not download a browser: we use Debian's Chromium.
  const env = { ...process.env, PUPPETEER_SKIP_DOWNLOAD: "1", PUPPETEER_SKIP_CHROMIUM_DOWNLOAD: "1" };
  let r = spawnSync("npm", args, { cwd: ROOT, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new UserError(`could not run npm: ${r.error.message}`);
  const out = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (r.status !== 0 && args[0] === "ci" && /can only install packages when your package\.json and package-lock\.json/.test(out)) {
    // npm ci refuses a lock that lacks an optional dependency the registry does not serve (seen
    // here: vite's napi-windows-process-start-time is a 404, so `npm install` leaves it out of the
    // lock). `npm install --no-save` installs the same locked versions and leaves the lock alone.
    const missing = /Missing: (\S+)/.exec(out)?.[1] ?? "a package";
    say(`npm ci refused the lock (missing ${missing}); running npm install --no-save with the same lock`);
    r = spawnSync("npm", ["install", "--no-save", "--no-audit", "--no-fund"], { cwd: ROOT, stdio: "inherit", env });
    if (r.error) throw new UserError(`could not run npm: ${r.error.message}`);
    if (r.status !== 0) throw new UserError(`npm install failed with exit code ${r.status} (see npm's output above)`);
  } else {
    process.stdout.write(r.stdout ?? "");
    process.stderr.write(r.stderr ?? "");
    if (r.status !== 0) throw new UserError(`npm ${args[0]} failed with exit code ${r.status} (see npm's output above)`);
  }
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
        ? "python3 -m pip install --user notebook nbclient ipykernel   (then set TLBKATA_PYTHON to that python3 if it is not /usr/bin/python3)"
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

function ensureJupyter() {
  let py = findJupyterPython();
  if (!py || !findJupyter(py)) {
    aptInstall("Jupyter", JUPYTER_DEBS);
    py = findJupyterPython();
    if (!py || !findJupyter(py)) throw new UserError("Jupyter is still missing after installing the Debian packages");
  }
  const v = spawnSync(py, ["-c", "import nbclient, ipykernel; print(nbclient.__version__, ipykernel.__version__)"], {
    encoding: "utf8",
  });
  const [nbc, ipk] = (v.stdout ?? "").trim().split(" ");
  say(`Jupyter found: ${findJupyter(py)} (python ${py}, nbclient ${nbc}, ipykernel ${ipk})`);
}

function ensureChromium() {
  const custom = process.env.PUPPETEER_EXECUTABLE_PATH;
  if (custom) {
    if (!isExecutable(custom)) throw new UserError(`PUPPETEER_EXECUTABLE_PATH=${custom} is not an executable file`);
    say(`Chromium found: ${custom} (from PUPPETEER_EXECUTABLE_PATH)`);
    return;
  }
  if (!isExecutable("/usr/bin/chromium")) {
    aptInstall("Chromium", CHROMIUM_DEBS);
    if (!isExecutable("/usr/bin/chromium")) throw new UserError("/usr/bin/chromium is still missing after installing it");
  }
  say("Chromium found: /usr/bin/chromium");
}

function main() {
  const argv = process.argv.slice(2);
  const known = new Set(["--jupyter", "--chromium", "--help", "-h"]);
  const unknown = argv.filter((a) => !known.has(a));
  if (unknown.length) throw new UserError(`unknown option ${unknown[0]} (options: --jupyter --chromium)`);
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log("usage: node scripts/setup.mjs [--jupyter] [--chromium]");
    return 0;
  }
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 20) throw new UserError(`Node ${process.versions.node} is too old: the course needs Node 20.19 or newer`);

  ensureNodeModules();
  if (argv.includes("--jupyter")) ensureJupyter();
  if (argv.includes("--chromium")) ensureChromium();
  const state = writeKernelSpec();
  say(`kernelspec ${state === "written" ? "written" : "up to date"}: ${rel(KERNEL_JSON)}`);
  return 0;
}

runMain("setup", main);
