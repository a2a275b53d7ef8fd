/**
 * Mermaid text to SVG, for notebook cell outputs. Rendering needs a browser: this uses
 * mermaid and puppeteer as installed with @mermaid-js/mermaid-cli (a devDependency of
 * the course) and the machine's Chromium or Chrome, configured like scripts/notebooks/render-diagrams.mjs
 * (scripts/notebooks/puppeteer.json). One browser page with mermaid loaded is kept for
 * all renders (starting Chromium and loading mermaid are most of the cost); it closes
 * itself after a short idle time, and with the process.
 *
 * Nothing is loaded when the package is merely imported: puppeteer is required on the
 * first render, so notebooks that draw nothing need no browser.
 */
import * as fs from "fs";
import * as path from "path";
import { createHash } from "crypto";
import { createRequire } from "module";
import type { Trace } from "../sched/model";
import { traceToMermaid, type MermaidOptions } from "../sched/format";

/** An error meant for the learner: one line, no stack trace in the cell output. */
export class CourseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CourseError";
    // tslab prints a failed cell's error with console.error(): keep it to this one line,
    // without a stack trace (and without the brackets Node puts around a frameless stack).
    this.stack = `${this.name}: ${message}`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `${this.name}: ${this.message}`;
  }
}

/** Browser launch options (puppeteer's launch()), as in scripts/notebooks/puppeteer.json. */
export interface BrowserOptions {
  executablePath: string;
  headless?: boolean;
  args?: string[];
  [k: string]: unknown;
}

/** Where Chromium or Chrome usually is (puppeteer.json's executableCandidates, in the course checkout). */
const DEFAULT_CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome-stable",
  "/usr/bin/google-chrome",
  "/snap/bin/chromium",
  "/opt/google/chrome/chrome",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
];

const DEFAULT_BROWSER: Omit<BrowserOptions, "executablePath"> = {
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
};

/** Folders from this file up to the filesystem root. */
function ancestors(): string[] {
  const out: string[] = [];
  let dir = __dirname;
  for (;;) {
    out.push(dir);
    const up = path.dirname(dir);
    if (up === dir) return out;
    dir = up;
  }
}

/**
 * The browser to render with, configured by the course's scripts/notebooks/puppeteer.json when
 * this package sits in the course checkout, else by built-in defaults. The executable is
 * PUPPETEER_EXECUTABLE_PATH when set, else the first installed of the candidates (Debian's
 * Chromium, Chrome, ...), else the first candidate (missing: rendering then says what to install).
 */
export function browserOptions(): BrowserOptions {
  let config: Record<string, unknown> = {};
  for (const dir of ancestors()) {
    const f = path.join(dir, "scripts", "notebooks", "puppeteer.json");
    if (fs.existsSync(f)) {
      try {
        config = JSON.parse(fs.readFileSync(f, "utf8"));
      } catch {
        /* a broken config: keep the defaults */
      }
      break;
    }
  }
  const { executableCandidates, executablePath: _ignored, ...launch } = config;
  const candidates = Array.isArray(executableCandidates) ? executableCandidates.map(String) : DEFAULT_CANDIDATES;
  const executablePath = process.env.PUPPETEER_EXECUTABLE_PATH || candidates.find(isExecutable) || candidates[0] || "chromium";
  return { ...DEFAULT_BROWSER, ...launch, executablePath };
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Whether a browser for rendering is installed here. */
export function rendererAvailable(): boolean {
  return isExecutable(browserOptions().executablePath);
}

/** A file under node_modules, found from this package's folder upwards. */
function findModuleFile(rel: string): string | null {
  for (const dir of ancestors()) {
    const f = path.join(dir, "node_modules", rel);
    if (fs.existsSync(f)) return f;
  }
  return null;
}

/** The puppeteer module: the one @mermaid-js/mermaid-cli brings (its peer dependency). */
function loadPuppeteer(): { launch(opts: unknown): Promise<Browser> } {
  const cliPkg = findModuleFile(path.join("@mermaid-js", "mermaid-cli", "package.json"));
  const from = cliPkg ?? __filename;
  let mod: any;
  try {
    mod = createRequire(from)("puppeteer");
  } catch {
    throw new CourseError("Drawing diagrams needs puppeteer (it comes with @mermaid-js/mermaid-cli), which is not installed: run `npm install` in the course folder.");
  }
  return typeof mod.launch === "function" ? mod : mod.default;
}

interface Page {
  setContent(html: string): Promise<void>;
  addScriptTag(opts: { path: string }): Promise<unknown>;
  evaluate<T>(fn: (...args: any[]) => T | Promise<T>, ...args: unknown[]): Promise<T>;
}
interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
  process?(): import("child_process").ChildProcess | null;
}

interface Session {
  readonly browser: Browser;
  readonly page: Page;
}

let session: Promise<Session> | null = null;
/** Renders run one at a time in the session's page. */
let queue: Promise<unknown> = Promise.resolve();
let idleTimer: NodeJS.Timeout | null = null;
/** Seconds a started browser stays open after the last render. */
export const RENDERER_IDLE_SECONDS = 20;

/**
 * Start Chromium, open one page and load mermaid into it once; every diagram is then
 * rendered in that page (loading mermaid's 3 MB bundle is the slow part after the
 * browser start, so it is done once per session, not once per diagram).
 */
async function startSession(): Promise<Session> {
  const launch = browserOptions();
  if (!isExecutable(launch.executablePath)) {
    const where = process.env.PUPPETEER_EXECUTABLE_PATH
      ? `there is none at ${launch.executablePath}`
      : "no Chromium or Chrome is installed";
    throw new CourseError(
      `Drawing this diagram needs Chromium, and ${where}: run \`node scripts/setup.mjs --chromium\` in the course folder (it installs Debian's chromium package), or install Chrome (or set PUPPETEER_EXECUTABLE_PATH to it), then run the cell again.`,
    );
  }
  const mermaidJs = findModuleFile(path.join("mermaid", "dist", "mermaid.min.js"));
  if (!mermaidJs) {
    throw new CourseError("Drawing diagrams needs mermaid (it comes with @mermaid-js/mermaid-cli), which is not installed: run `npm install` in the course folder.");
  }
  const puppeteer = loadPuppeteer();
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      ...launch,
      // Talk to Chromium over a pipe (not a WebSocket), so that every handle to it can be
      // unref'd below.
      pipe: true,
      // Jupyter interrupts a kernel with SIGINT and stops it with SIGTERM: leave those signals
      // to the kernel. The browser still dies with the process (puppeteer's exit hook).
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    unrefBrowser(browser);
  } catch (e) {
    const why = String((e as Error)?.message ?? e).split("\n")[0];
    throw new CourseError(`Chromium (${launch.executablePath}) did not start: ${why}`);
  }
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><html><body><div id="container"></div></body></html>');
    await page.addScriptTag({ path: mermaidJs });
    await page.evaluate(() => {
      (globalThis as any).mermaid.initialize({ startOnLoad: false });
    });
    return { browser, page };
  } catch (e) {
    await browser.close().catch(() => {});
    throw e;
  }
}

/**
 * Let the process exit while the browser is open: a kernel that is shut down must not wait
 * for the idle timer. (Renders in flight hold the process with a timer of their own.)
 */
function unrefBrowser(browser: Browser): void {
  const proc = browser.process?.();
  if (!proc) return;
  proc.unref();
  for (const stream of proc.stdio ?? []) (stream as { unref?: () => void } | null)?.unref?.();
}

function armIdleTimer(): void {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = setTimeout(() => void closeRenderer(), RENDERER_IDLE_SECONDS * 1000);
  idleTimer.unref();
}

/** Close the browser kept for rendering, if one is open. */
export async function closeRenderer(): Promise<void> {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  const s = session;
  session = null;
  if (!s) return;
  try {
    await (await s).browser.close();
  } catch {
    /* it never started, or is gone already */
  }
}

export interface RenderOptions {
  /**
   * id of the <svg>. Diagrams shown in one page share CSS and marker ids unless their
   * ids differ; the default is derived from the text, so the same text gives the same
   * SVG (committed notebook outputs stay stable).
   */
  readonly svgId?: string;
}

/** A stable id for a diagram: a prefix and a hash of its text. */
export function diagramId(text: string, prefix = "diagram"): string {
  return `${prefix}-${createHash("sha256").update(text).digest("hex").slice(0, 12)}`;
}

/** Start the browser session if it is not running (the promise is shared by renders). */
function ensureSession(): Promise<Session> {
  if (!session) {
    const started = startSession();
    session = started;
    started.catch(() => {
      if (session === started) session = null;
    });
  }
  return session;
}

/**
 * Start the browser in the background, so that it is ready by the first render: call
 * it early in a notebook that draws. Does nothing when no browser is installed (the
 * render itself then reports that) and never fails.
 */
export function prepareRenderer(): void {
  if (session || !rendererAvailable()) return;
  ensureSession().then(armIdleTimer, () => {});
}

/** Render Mermaid text to SVG text. Fails with a one-line CourseError when no browser is installed. */
export function renderMermaid(text: string, opts: RenderOptions = {}): Promise<string> {
  const run = async (): Promise<string> => {
    // The browser's handles are unref'd: keep the process alive until this render is done.
    const hold = setInterval(() => {}, 1 << 30);
    try {
      return await render();
    } finally {
      clearInterval(hold);
    }
  };
  const render = async (): Promise<string> => {
    const s = await ensureSession();
    const id = opts.svgId ?? diagramId(text);
    try {
      return await s.page.evaluate(
        async (svgId: string, definition: string) => {
          const g = globalThis as any;
          const container = g.document.getElementById("container");
          const { svg } = await g.mermaid.render(svgId, definition, container);
          container.innerHTML = svg;
          const el = container.getElementsByTagName("svg")[0];
          el.style.backgroundColor = "white";
          // foreignObject HTML (<br>) is not XML: serialise through the DOM.
          const out = new g.XMLSerializer().serializeToString(el);
          container.innerHTML = "";
          return out;
        },
        id,
        text,
      );
    } catch (e) {
      const why = String((e as Error)?.message ?? e).split("\n")[0];
      throw new CourseError(`Mermaid could not draw the diagram: ${why}`);
    } finally {
      armIdleTimer();
    }
  };
  const p = queue.then(run, run);
  queue = p.catch(() => {});
  return p;
}

/**
 * Width of a note line in a notebook's trace diagram, in characters. Mermaid scales a
 * sequence diagram down to the cell's width, so a wide note makes all the text smaller.
 */
export const NOTE_WIDTH = 40;

/**
 * A trace (runStraight, a counterexample) as a rendered mermaid sequence diagram: a
 * lifeline for each agent that acts, notes and the violation report wrapped at
 * NOTE_WIDTH characters and step labels at 48, never cut.
 */
export function traceToSvg(trace: Trace, opts: MermaidOptions & RenderOptions = {}): Promise<string> {
  const text = traceToMermaid(trace, { maxLabel: 48, wrap: NOTE_WIDTH, ...opts });
  return renderMermaid(text, { svgId: opts.svgId ?? diagramId(text, "trace") });
}
