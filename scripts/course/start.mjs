#!/usr/bin/env node
// The course launcher (`npm run course`): setup with Jupyter, build the simulation package,
// then start Jupyter on notebooks/ with the project-local tslab kernelspec.
//
//   npm run course                                   JupyterLab if installed, else Jupyter Notebook
//   npm run course -- --no-browser --port 8888       extra arguments go to Jupyter
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import {
  NOTEBOOKS_DIR,
  ROOT,
  UserError,
  findJupyter,
  findJupyterPython,
  jupyterPath,
  kernelEnv,
  listNotebooks,
  runMain,
} from "./lib.mjs";

const say = (msg) => console.log(`course: ${msg}`);

function step(cmd, args, what) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: "inherit" });
  if (r.error) throw new UserError(`could not run ${what}: ${r.error.message}`);
  if (r.signal) throw new UserError(`${what} was stopped by ${r.signal}`, 130);
  // The step has printed its own one-line error already.
  if (r.status !== 0) throw new UserError(`${what} failed (exit ${r.status}); see above`, r.status ?? 1);
}

/** "lab" when `jupyter lab` works, else "notebook". */
function pickFrontEnd(jupyter, env) {
  const lab = spawnSync(jupyter, ["lab", "--version"], { env, encoding: "utf8" });
  if (lab.status === 0) return { sub: "lab", name: `JupyterLab ${lab.stdout.trim()}` };
  const nb = spawnSync(jupyter, ["notebook", "--version"], { env, encoding: "utf8" });
  if (nb.status === 0) return { sub: "notebook", name: `Jupyter Notebook ${nb.stdout.trim()}` };
  throw new UserError(`neither \`${jupyter} lab\` nor \`${jupyter} notebook\` works: run \`node scripts/setup.mjs --jupyter\``);
}

async function main() {
  const extra = process.argv.slice(2);
  step(process.execPath, [path.join(ROOT, "scripts", "setup.mjs"), "--jupyter"], "setup");
  say("building the simulation package (npm run build)");
  step("npm", ["run", "--silent", "build"], "npm run build");

  const python = findJupyterPython();
  const jupyter = python && findJupyter(python);
  if (!jupyter) throw new UserError("Jupyter is not installed: run `node scripts/setup.mjs --jupyter`");
  const env = kernelEnv();
  const front = pickFrontEnd(jupyter, env);
  const args = [front.sub, ...extra];
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (isRoot && !extra.includes("--allow-root")) args.push("--allow-root"); // Jupyter refuses root otherwise

  const first = listNotebooks()[0];
  say(`starting ${front.name} in notebooks/ (JUPYTER_PATH=${jupyterPath()})`);
  if (front.sub === "notebook") {
    say("JupyterLab is not installed; Debian ships the classic Notebook. Both run the same notebooks.");
  }
  say(`open ${first ? path.basename(first) : "the first notebook"} first; pick the "TypeScript" kernel if asked. Ctrl-C stops Jupyter.`);

  const child = spawn(jupyter, args, { cwd: NOTEBOOKS_DIR, env, stdio: "inherit" });
  // Ctrl-C in a terminal reaches Jupyter directly (same process group), which would ask
  // "Shutdown this notebook server (y/[n])?". The launcher answers for the user: on SIGINT or
  // SIGTERM it sends Jupyter SIGTERM, which Jupyter handles by shutting its kernels down and
  // exiting at once (and which, unlike SIGINT, prints no Python traceback while Jupyter is still
  // starting). A signal sent to the launcher alone (e.g. by a process manager) works the same.
  let stopping = false;
  const stop = () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (!stopping) say("stopping Jupyter");
    stopping = true;
    child.kill("SIGTERM");
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  return await new Promise((resolve, reject) => {
    child.on("error", (e) => reject(new UserError(`could not start ${jupyter}: ${e.message}`)));
    child.on("exit", (code, signal) => {
      if (signal || stopping) {
        say("Jupyter stopped");
        resolve(0);
      } else resolve(code ?? 1);
    });
  });
}

runMain("course", main);
