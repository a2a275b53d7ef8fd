#!/usr/bin/env node
// The course launcher (`npm run course`): setup (npm packages, JupyterLab, the project-local
// tslab kernelspec), build the simulation package, then start JupyterLab on notebooks/.
//
//   npm run course                                   JupyterLab on notebooks/, opens your browser
//   npm run course -- --no-browser --port 8888       extra arguments go to Jupyter
//   npm run course -- --check                        start it, check that it serves the course
//                                                    (its API, the tslab kernel), stop it: for CI
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import {
  NOTEBOOKS_DIR,
  ROOT,
  UserError,
  findCourseJupyter,
  jupyterCommand,
  jupyterPath,
  kernelEnv,
  labFailure,
  listNotebooks,
  runMain,
} from "./lib.mjs";
import { startServer } from "./server.mjs";

const say = (msg) => console.log(`course: ${msg}`);

function step(cmd, args, what) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: "inherit" });
  if (r.error) throw new UserError(`could not run ${what}: ${r.error.message}`);
  if (r.signal) throw new UserError(`${what} was stopped by ${r.signal}`, 130);
  // The step has printed its own one-line error already.
  if (r.status !== 0) throw new UserError(`${what} failed (exit ${r.status}); see above`, r.status ?? 1);
}

/** Which front end, and why: said before it starts. */
function explain(j) {
  if (j.kind === "lab") return `${j.name}, ${j.origin} (${j.python})`;
  const why = labFailure() ?? "no JupyterLab was found";
  return `${j.name}, ${j.origin}, as a fallback: JupyterLab could not be used (${why}). Both run the same notebooks`;
}

/** --check: serve the course, ask the server for its status, kernelspecs and page, stop it. */
async function check(j) {
  const t0 = Date.now();
  const server = await startServer(j, { root: NOTEBOOKS_DIR });
  try {
    const status = await server.api("/api/status");
    const specs = await server.api("/api/kernelspecs");
    if (!specs.kernelspecs?.tslab) {
      throw new UserError(`${j.name} serves, but without the tslab kernel (kernelspecs: ${Object.keys(specs.kernelspecs ?? {}).join(", ")})`);
    }
    const contents = await server.api("/api/contents");
    const first = listNotebooks()[0];
    if (first && !contents.content?.some((e) => e.name === path.basename(first))) {
      throw new UserError(`${j.name} serves, but not notebooks/ (no ${path.basename(first)} at its root)`);
    }
    const page = j.kind === "lab" ? "/lab" : "/tree";
    const r = await fetch(server.url(page));
    if (!r.ok) throw new UserError(`${j.name} answers ${page} with HTTP ${r.status}`);
    say(
      `check passed: ${j.name} served notebooks/ at ${server.base}${page} in ${((Date.now() - t0) / 1000).toFixed(1)} s ` +
        `(api/status: ${status.kernels} kernels, started ${status.started}; kernelspec tslab: ${specs.kernelspecs.tslab.spec.display_name})`,
    );
  } catch (e) {
    if (!(e instanceof UserError)) console.error(server.log());
    throw e;
  } finally {
    await server.stop();
    say("Jupyter stopped");
  }
  return 0;
}

async function main() {
  const argv = process.argv.slice(2);
  const checkOnly = argv.includes("--check");
  const extra = argv.filter((a) => a !== "--check");
  if (checkOnly && extra.length) throw new UserError(`--check takes no other arguments (got ${extra[0]})`, 2);
  step(process.execPath, [path.join(ROOT, "scripts", "setup.mjs"), "--jupyter"], "setup");
  say("building the simulation package (npm run build)");
  step("npm", ["run", "--silent", "build"], "npm run build");

  const j = findCourseJupyter();
  if (!j) throw new UserError("Jupyter is not installed: run `node scripts/setup.mjs --jupyter`");
  say(`front end: ${explain(j)}`);
  say(`kernels from JUPYTER_PATH=${jupyterPath()}`);
  if (checkOnly) return check(j);

  const [cmd, ...pre] = jupyterCommand(j);
  const args = [...pre, ...extra];
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (isRoot && !extra.includes("--allow-root")) args.push("--allow-root"); // Jupyter refuses root otherwise
  const first = listNotebooks()[0];
  say(`starting ${j.name} in notebooks/`);
  say(`open ${first ? path.basename(first) : "the first notebook"} first; pick the "TypeScript" kernel if asked. Ctrl-C stops Jupyter.`);

  const child = spawn(cmd, args, { cwd: NOTEBOOKS_DIR, env: kernelEnv(), stdio: "inherit" });
  // Ctrl-C in a terminal reaches Jupyter directly (same process group), which would ask
  // "Shutdown this server (y/[n])?". The launcher answers for the user: on SIGINT or SIGTERM
  // it sends Jupyter SIGTERM, which Jupyter handles by shutting its kernels down and exiting at
  // once (and which, unlike SIGINT, prints no Python traceback while Jupyter is still starting).
  // A signal sent to the launcher alone (e.g. by a process manager) works the same.
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
    child.on("error", (e) => reject(new UserError(`could not start ${cmd}: ${e.message}`)));
    child.on("exit", (code, signal) => {
      if (signal || stopping) {
        say("Jupyter stopped");
        resolve(0);
      } else resolve(code ?? 1);
    });
  });
}

runMain("course", main);
