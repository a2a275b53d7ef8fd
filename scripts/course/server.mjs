// Start a Jupyter server (JupyterLab, or the classic Notebook) in the background, wait until its
// REST API answers, and stop it again: for `npm run course -- --check` and the browser test.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import net from "node:net";
import { jupyterCommand, kernelEnv } from "./lib.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A TCP port nobody listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Start `jupyter` (from findCourseJupyter) serving `root` on 127.0.0.1 with a random token, and
 * wait until GET /api/status answers. `env` is added to the kernel environment (JUPYTER_PATH with
 * the project's kernelspec). Resolves to { base, token, url(path), api(path), stop(), log() }.
 */
export async function startServer(jupyter, { root, env = {}, args = [], timeoutMs = 90_000 } = {}) {
  const port = await freePort();
  const token = crypto.randomBytes(24).toString("hex");
  const base = `http://127.0.0.1:${port}`;
  const [cmd, ...pre] = jupyterCommand(jupyter);
  const argv = [...pre, "--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0", ...args];
  if (process.getuid?.() === 0) argv.push("--allow-root"); // Jupyter refuses root otherwise
  const child = spawn(cmd, argv, {
    cwd: root,
    detached: true, // its own process group, so that stopping it reaches the kernels too
    stdio: ["ignore", "pipe", "pipe"],
    // Both JupyterLab (jupyter_server) and Notebook 6 take the token from JUPYTER_TOKEN; it stays
    // off the command line, where any user could read it.
    env: kernelEnv({ JUPYTER_TOKEN: token, ...env }),
  });
  let output = "";
  const keep = (b) => {
    output = (output + b.toString()).slice(-8000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const log = () => output.replaceAll(token, "...");
  const url = (p) => `${base}${p}${p.includes("?") ? "&" : "?"}token=${token}`;
  const api = async (p, init) => {
    const r = await fetch(url(p), init);
    if (!r.ok) throw new Error(`GET ${p}: HTTP ${r.status}`);
    return r.json();
  };

  async function stop() {
    try {
      for (const k of await api("/api/kernels")) {
        await fetch(url(`/api/kernels/${k.id}`), { method: "DELETE" }).catch(() => {});
      }
    } catch {
      /* the server is gone already */
    }
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    const signalGroup = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch {
        /* already gone */
      }
    };
    signalGroup("SIGTERM");
    if (!(await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]))) {
      signalGroup("SIGKILL");
      await Promise.race([exited, sleep(5_000)]);
    }
  }

  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${jupyter.name} exited with ${child.exitCode} before serving:\n${log()}`);
    try {
      const r = await fetch(url("/api/status"));
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > until) {
      await stop();
      throw new Error(`${jupyter.name} did not answer ${base}/api/status within ${timeoutMs / 1000} s:\n${log()}`);
    }
    await sleep(250);
  }
  return { base, port, token, url, api, stop, log, process: child };
}
