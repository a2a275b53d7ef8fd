// The welcome notebook in a real browser: Debian's Jupyter Notebook server with the project's
// tslab kernelspec, the notebook opened in headless Chromium (puppeteer, as mermaid-cli brings
// it), every cell run through the UI (Cell > Run All), a screenshot saved in test-artifacts/, and
// the rendered page checked for the diagram and the course-map table.
// Needs the simulation package built (`npm test` builds it first).
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findJupyter, findJupyterPython, kernelEnv, writeKernelSpec } from "../../scripts/course/lib.mjs";
import { browserAvailable, loadPuppeteer, puppeteerLaunchOptions } from "../../scripts/notebooks/render-diagrams.mjs";
import { ROOT, requireTool } from "./support";

const ARTIFACTS = path.join(ROOT, "test-artifacts");
const SCREENSHOT = path.join(ARTIFACTS, "browser-00-welcome.png");
const TEST_TIMEOUT_MS = 120_000;

/** A TCP port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** In page functions: the browser's document (this file is type-checked without the DOM library). */
declare const window: any;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `url` until it answers 200, the server exits, or the time is up. */
async function waitForServer(url: string, server: ChildProcess, log: () => string, ms = 45_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (server.exitCode !== null) throw new Error(`jupyter notebook exited with ${server.exitCode}:\n${log()}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await sleep(250);
  }
  throw new Error(`jupyter notebook did not answer ${url.replace(/token=\w+/, "token=...")} within ${ms / 1000} s:\n${log()}`);
}

/** Shut the kernels down through the REST API, then stop the server (and its process group). */
async function stopServer(server: ChildProcess, base: string, token: string): Promise<void> {
  try {
    const r = await fetch(`${base}/api/kernels?token=${token}`);
    if (r.ok) {
      for (const k of (await r.json()) as { id: string }[]) {
        await fetch(`${base}/api/kernels/${k.id}?token=${token}`, { method: "DELETE" }).catch(() => {});
      }
    }
  } catch {
    /* the server is gone already */
  }
  const pid = server.pid;
  if (pid === undefined || server.exitCode !== null) return;
  const exited = new Promise<void>((r) => server.once("exit", () => r()));
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig); // the server was started as the leader of its own group
    } catch {
      /* already gone */
    }
  };
  signalGroup("SIGTERM");
  const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
  if (!done) {
    signalGroup("SIGKILL");
    await Promise.race([exited, sleep(5_000)]);
  }
}

/** The welcome notebook with its committed outputs removed: whatever the page shows must come from this run. */
function strippedWelcomeCopy(dest: string): void {
  const nb = JSON.parse(fs.readFileSync(path.join(ROOT, "notebooks", "00-welcome.ipynb"), "utf8"));
  for (const c of nb.cells) {
    if (c.cell_type !== "code") continue;
    c.outputs = [];
    c.execution_count = null;
  }
  fs.writeFileSync(dest, JSON.stringify(nb, null, 1));
}

describe("the welcome notebook in a browser", () => {
  const python = findJupyterPython();
  const jupyter = python ? findJupyter(python) : null;
  if (!requireTool(jupyter !== null, "Jupyter Notebook (Debian's jupyter-notebook)", "run `node scripts/setup.mjs --jupyter`")) return;
  const browserPath = puppeteerLaunchOptions().executablePath;
  if (!requireTool(browserAvailable(), `Chromium (${browserPath})`, "run `node scripts/setup.mjs --chromium`")) return;

  it(
    "runs every cell through the UI; the page shows the diagram and the course map",
    async () => {
      writeKernelSpec();
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      // Jupyter's own state (config, runtime files, notebook trust database) stays in a scratch
      // folder, so the user's Jupyter set-up neither leaks in nor gets written to.
      const scratch = fs.mkdtempSync(path.join(ARTIFACTS, "browser-jupyter-"));
      // The copy sits directly in test-artifacts/, a sibling of notebooks/: the welcome notebook
      // reads ../diagrams/svg/ relative to its own folder, and `require("tlbkata")` resolves from
      // the repository. The committed notebook itself is never opened, so nothing can save into it.
      const copy = path.join(ARTIFACTS, "00-welcome.ipynb");
      strippedWelcomeCopy(copy);

      const port = await freePort();
      const token = crypto.randomBytes(24).toString("hex");
      const base = `http://127.0.0.1:${port}`;
      const args = [
        "notebook",
        "--no-browser",
        "--ip=127.0.0.1",
        `--port=${port}`,
        "--port-retries=0",
        `--NotebookApp.token=${token}`,
        `--notebook-dir=${ARTIFACTS}`,
      ];
      if (process.getuid?.() === 0) args.push("--allow-root");
      const server = spawn(jupyter!, args, {
        cwd: ARTIFACTS,
        detached: true, // its own process group, so that stopping it reaches its children
        stdio: ["ignore", "pipe", "pipe"],
        env: kernelEnv({
          JUPYTER_CONFIG_DIR: path.join(scratch, "config"),
          JUPYTER_DATA_DIR: path.join(scratch, "data"),
          JUPYTER_RUNTIME_DIR: path.join(scratch, "runtime"),
        }),
      });
      let serverLog = "";
      const keep = (b: Buffer) => {
        serverLog = (serverLog + b.toString()).slice(-6000);
      };
      server.stdout!.on("data", keep);
      server.stderr!.on("data", keep);
      const redactedLog = () => serverLog.replaceAll(token, "...");

      const puppeteer = await loadPuppeteer();
      let browser: Awaited<ReturnType<typeof puppeteer.launch>> | undefined;
      // Start Chromium while the server starts.
      const launching = puppeteer.launch(puppeteerLaunchOptions());
      launching.catch(() => {});
      try {
        await waitForServer(`${base}/api/status?token=${token}`, server, redactedLog);
        browser = await launching;
        const page = await browser.newPage();
        await page.setViewport({ width: 1280, height: 1000 });
        await page.goto(`${base}/notebooks/00-welcome.ipynb?token=${token}`, { waitUntil: "networkidle2", timeout: 30_000 });

        // The notebook is loaded and its tslab kernel is up and idle.
        await page.waitForFunction(
          () => {
            const J = (window as any).Jupyter;
            const idle = window.document.querySelector("#kernel_indicator_icon")?.classList.contains("kernel_idle_icon");
            return Boolean(J?.notebook?._fully_loaded && J.notebook.kernel?.is_connected?.() && idle);
          },
          { timeout: 60_000, polling: 200 },
        );
        // Never write anything back, not even to the copy.
        await page.evaluate(() => (window as any).Jupyter.notebook.set_autosave_interval(0));
        const kernelName = await page.evaluate(() => (window as any).Jupyter.notebook.kernel.name);
        expect(kernelName).toBe("tslab");

        // Cell > Run All, as a learner would.
        await page.click("#celllink");
        await page.waitForSelector("#run_all_cells > a", { visible: true });
        await page.click("#run_all_cells > a");

        // Every code cell has run (an execution count in its prompt) and the kernel is idle again.
        await page.waitForFunction(
          () => {
            const nb = (window as any).Jupyter.notebook;
            const code = nb.get_cells().filter((c: any) => c.cell_type === "code");
            const ran = code.length > 0 && code.every((c: any) => typeof c.input_prompt_number === "number");
            const idle = window.document.querySelector("#kernel_indicator_icon")?.classList.contains("kernel_idle_icon");
            return ran && idle;
          },
          { timeout: 60_000, polling: 200 },
        );
        // The notebook scrolls inside #site, not the page: make the viewport as tall as the
        // notebook so that the screenshot shows all of it.
        const height = await page.evaluate(() => {
          const site = window.document.querySelector("#site");
          const header = window.document.querySelector("#header");
          return Math.ceil((site?.scrollHeight ?? 1000) + (header?.offsetHeight ?? 0) + 20);
        });
        await page.setViewport({ width: 1280, height: Math.min(Math.max(height, 1000), 16_000) });
        await page.evaluate(() => window.document.querySelector("#site")?.scrollTo(0, 0));
        await page.screenshot({ path: SCREENSHOT, fullPage: true });

        const seen: { stderr: string[]; svgText: string | null; headers: string[] | null; cells: string[] | null; stdout: string } =
          await page.evaluate(() => {
            const doc = window.document;
            const texts = (sel: string, root = doc) => Array.from(root.querySelectorAll(sel), (e: any) => String(e.textContent ?? "").trim());
            const svg = doc.querySelector(".output_area svg#diagram-secondary-tlb-flow");
            const table = doc.querySelector(".output_area table");
            return {
              stderr: texts(".output_stderr"),
              svgText: svg ? String(svg.textContent ?? "") : null,
              headers: table ? texts("th", table) : null,
              cells: table ? texts("td", table) : null,
              stdout: texts(".output_stdout").join("\n"),
            };
          });
        expect(seen.stderr, "a cell wrote to stderr (tslab reports errors there)").toEqual([]);
        expect(seen.stdout).toMatch(/tlbkata \d+\.\d+\.\d+/);
        // The diagram: the committed SVG, inlined in the output.
        expect(seen.svgText, "the flow diagram is not in the page").not.toBeNull();
        expect(seen.svgText).toContain("invalidate");
        // The course map: a table with one row per notebook.
        expect(seen.headers).toEqual(["Notebook", "Topic", "Time", "Kata"]);
        expect(seen.cells).toContain("00-welcome.ipynb");
        expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
      } finally {
        await (browser ?? (await launching.catch(() => undefined)))?.close().catch(() => {});
        await stopServer(server, base, token);
        fs.rmSync(copy, { force: true });
        // Jupyter makes a checkpoint of a notebook when it opens it.
        const checkpoints = path.join(ARTIFACTS, ".ipynb_checkpoints");
        fs.rmSync(path.join(checkpoints, "00-welcome-checkpoint.ipynb"), { force: true });
        if (fs.existsSync(checkpoints) && fs.readdirSync(checkpoints).length === 0) fs.rmdirSync(checkpoints);
        fs.rmSync(scratch, { recursive: true, force: true });
      }
    },
    TEST_TIMEOUT_MS,
  );
});
