// The course in JupyterLab itself, as a learner sees it: the course's JupyterLab (the project's
// venv) serving copies of the notebooks, headless Chromium driven by puppeteer (the one
// mermaid-cli brings), every cell run through the UI (Run > Run All Cells), and the rendered
// page checked: diagrams, charts, tables, nothing on stderr. Then every SVG output of every
// committed notebook, shown in the Light and the Dark theme, must keep its own white background
// and clearly contrasting ink, and the text of every table must contrast with what is behind it.
// Screenshots go to test-artifacts/. Needs the simulation package built (`npm test` does that).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCourseJupyter, listNotebooks, pythonEnv, writeKernelSpec } from "../../scripts/course/lib.mjs";
import { startServer, type JupyterServer } from "../../scripts/course/server.mjs";
import { browserAvailable, loadPuppeteer, puppeteerLaunchOptions } from "../../scripts/notebooks/render-diagrams.mjs";
import { decodePng, legibility } from "./png";
import { ROOT, requireTool } from "./support";

const ARTIFACTS = path.join(ROOT, "test-artifacts");
const RUN_TIMEOUT_MS = 150_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** In page functions: the browser's document (this file is type-checked without the DOM library). */
declare const document: any;
declare const getComputedStyle: any;
declare const window: any;

type Cell = { cell_type: string; id?: string; source: string | string[]; outputs?: any[]; execution_count?: number | null; metadata?: object };
type Notebook = { cells: Cell[]; metadata: object; nbformat: number; nbformat_minor: number };
const readNb = (file: string): Notebook => JSON.parse(fs.readFileSync(file, "utf8"));

const THEMES = ["JupyterLab Light", "JupyterLab Dark"] as const;
type Theme = (typeof THEMES)[number];
const themeSlug = (t: Theme) => t.split(" ")[1]!.toLowerCase();

/**
 * A copy of a course notebook with its outputs removed, directly in test-artifacts/ (a sibling
 * of notebooks/, so `../diagrams` and `require("tlbkata")` resolve as for the real one): what the
 * page shows must come from this run, and nothing can be saved into the committed file.
 */
function strippedCopy(name: string): string {
  const nb = readNb(path.join(ROOT, "notebooks", name));
  for (const c of nb.cells) {
    if (c.cell_type !== "code") continue;
    c.outputs = [];
    c.execution_count = null;
  }
  const file = path.join(ARTIFACTS, name);
  fs.writeFileSync(file, JSON.stringify(nb, null, 1));
  return file;
}

/** One notebook holding every code cell of every committed notebook, with its committed outputs. */
function galleryCopy(): { file: string; svgs: number } {
  const cells: Cell[] = [];
  let svgs = 0;
  for (const nbFile of listNotebooks()) {
    const nb = readNb(nbFile);
    cells.push({ cell_type: "markdown", id: `g${cells.length}`, metadata: {}, source: `## ${path.basename(nbFile)}` });
    for (const c of nb.cells) {
      if (c.cell_type !== "code" || !c.outputs?.length) continue;
      svgs += c.outputs.filter((o) => o.data?.["image/svg+xml"]).length;
      cells.push({ ...c, id: `g${cells.length}` });
    }
  }
  const first = readNb(listNotebooks()[0]!);
  const file = path.join(ARTIFACTS, "theme-gallery.ipynb");
  fs.writeFileSync(file, JSON.stringify({ ...first, cells }, null, 1));
  return { file, svgs };
}

/** JupyterLab settings for the test: no news pop-up, every cell in the DOM, no autosave, a theme. */
function writeLabSettings(dir: string, theme: Theme): void {
  const put = (plugin: string, value: object) => {
    const [pkg, name] = plugin.split(":");
    const file = path.join(dir, pkg!, `${name}.jupyterlab-settings`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(value));
  };
  put("@jupyterlab/apputils-extension:notification", { fetchNews: "false", checkForUpdates: false });
  put("@jupyterlab/notebook-extension:tracker", { windowingMode: "none" });
  put("@jupyterlab/docmanager-extension:plugin", { autosave: false });
  put("@jupyterlab/apputils-extension:themes", { theme });
}

describe("the course in JupyterLab, in a browser", () => {
  const jupyter = findCourseJupyter();
  const lab = jupyter?.kind === "lab" ? jupyter : null;
  if (!requireTool(lab !== null, "JupyterLab", "run `npm run course` (it installs JupyterLab into .course/venv)")) return;
  if (!requireTool(browserAvailable(), `Chromium (${puppeteerLaunchOptions().executablePath})`, "run `node scripts/setup.mjs --chromium`")) return;

  let scratch = "";
  let server: JupyterServer;
  let browser: any;
  let page: any;
  const copies: string[] = [];

  beforeAll(async () => {
    writeKernelSpec();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    // Jupyter's own state (config, runtime files, trust database, Lab settings and workspaces)
    // lives in a scratch folder: the user's set-up neither leaks in nor gets written to.
    scratch = fs.mkdtempSync(path.join(ARTIFACTS, "browser-jupyter-"));
    writeLabSettings(path.join(scratch, "settings"), "JupyterLab Light");
    const puppeteer = await loadPuppeteer();
    const launching = puppeteer.launch(puppeteerLaunchOptions()); // while the server starts
    launching.catch(() => {});
    server = await startServer(lab!, {
      root: ARTIFACTS,
      env: {
        JUPYTER_CONFIG_DIR: path.join(scratch, "config"),
        JUPYTER_DATA_DIR: path.join(scratch, "data"),
        JUPYTER_RUNTIME_DIR: path.join(scratch, "runtime"),
        JUPYTERLAB_SETTINGS_DIR: path.join(scratch, "settings"),
        JUPYTERLAB_WORKSPACES_DIR: path.join(scratch, "workspaces"),
      },
    });
    browser = await launching;
    page = await browser.newPage();
    // Leaving a run notebook unsaved (autosave is off) asks "leave the page?": yes.
    page.on("dialog", (d: any) => void d.accept().catch(() => {}));
    await page.setViewport({ width: 1280, height: 1000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
    for (const f of copies) fs.rmSync(f, { force: true });
    fs.rmSync(path.join(ARTIFACTS, ".ipynb_checkpoints"), { recursive: true, force: true });
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }, 60_000);

  const ACTIVE = ".jp-NotebookPanel:not(.lm-mod-hidden)";

  /** Open a notebook in JupyterLab (alone: ?reset forgets what was open) and wait until its tslab kernel is idle. */
  async function open(name: string): Promise<void> {
    await page.goto(server.url(`/lab/tree/${name}?reset`), { waitUntil: "domcontentloaded", timeout: 60_000 });
    await page.waitForSelector(`${ACTIVE} .jp-Cell`, { timeout: 60_000 });
    try {
      await page.waitForFunction(
        (sel: string) =>
          document.querySelector(`${sel} .jp-Toolbar-kernelName`)?.textContent?.trim() === "TypeScript" &&
          document.querySelector(`${sel} .jp-Notebook-ExecutionIndicator`)?.getAttribute("data-status") === "idle",
        { timeout: 60_000, polling: 250 },
        ACTIVE,
      );
    } catch (e) {
      const dialog = await page.evaluate(() => document.querySelector(".jp-Dialog")?.textContent ?? null);
      throw new Error(`the tslab kernel ("TypeScript") did not become idle${dialog ? ` (a dialog says: ${dialog})` : ""}: ${e}\n${server.log()}`);
    }
  }

  /** Make the viewport as tall as the notebook (it scrolls inside JupyterLab), then screenshot it. */
  async function screenshot(file: string): Promise<void> {
    const height: number = await page.evaluate((sel: string) => {
      const scroller = document.querySelector(`${sel} .jp-WindowedPanel-outer`) ?? document.querySelector(`${sel} .jp-Notebook`);
      scroller?.scrollTo(0, 0);
      const chrome = window.innerHeight - (scroller?.clientHeight ?? 0); // menus, toolbar, status bar
      return Math.ceil((scroller?.scrollHeight ?? 1000) + chrome);
    }, ACTIVE);
    await page.setViewport({ width: 1280, height: Math.min(Math.max(height, 1000), 16_000) });
    await sleep(500); // let JupyterLab lay out again
    await page.screenshot({ path: file });
    await page.setViewport({ width: 1280, height: 1000 });
    expect(fs.statSync(file).size).toBeGreaterThan(10_000);
  }

  /** The menu bar's item called `label` (File, Edit, ..., Run, ..., Settings). */
  async function menuBarItem(label: string): Promise<any> {
    for (const item of await page.$$(".lm-MenuBar-item")) {
      if ((await item.evaluate((e: any) => e.textContent.trim())) === label) return item;
    }
    throw new Error(`JupyterLab's menu bar has no ${label} menu`);
  }

  /** Run > Run All Cells, as a learner would; wait until every code cell has run and the kernel is idle. */
  async function runAll(): Promise<void> {
    await (await menuBarItem("Run")).click();
    const runAllItem = '.lm-Menu-item[data-command="runmenu:run-all"]';
    await page.waitForSelector(runAllItem, { visible: true, timeout: 10_000 });
    await page.click(runAllItem);
    await page.waitForFunction(
      (sel: string) => {
        // A cell whose source is folded (metadata jupyter.source_hidden) shows no prompt. A fresh
        // kernel numbers the cells of a Run All 1..n, so every shown prompt numbered and the
        // highest number equal to the count of code cells means every cell ran, folded ones too.
        const cells = document.querySelectorAll(`${sel} .jp-CodeCell`).length;
        const prompts = Array.from(document.querySelectorAll(`${sel} .jp-CodeCell .jp-InputPrompt`), (e: any) => e.textContent.trim()).filter((p: string) => p !== "");
        const numbers = prompts.map((p: string) => /^\[(\d+)\]:$/.exec(p)?.[1]).map(Number);
        const idle = document.querySelector(`${sel} .jp-Notebook-ExecutionIndicator`)?.getAttribute("data-status") === "idle";
        return idle && cells > 0 && numbers.every((n: number) => n > 0) && Math.max(...numbers) === cells;
      },
      { timeout: 120_000, polling: 250 },
      ACTIVE,
    );
  }

  /** Settings > Theme > `theme`, through JupyterLab's menus. */
  async function setTheme(theme: Theme): Promise<void> {
    const isLight = theme === "JupyterLab Light" ? "true" : "false";
    if ((await page.evaluate(() => document.body.getAttribute("data-jp-theme-light"))) === isLight) return;
    await (await menuBarItem("Settings")).click();
    const themeMenu = await page.waitForSelector('.lm-Menu-item[data-type="submenu"] ::-p-text(Theme)', { visible: true, timeout: 10_000 });
    await themeMenu.click();
    const item = await page.waitForSelector(`.lm-Menu-item[data-command="apputils:change-theme"] ::-p-text(${theme})`, { visible: true, timeout: 10_000 });
    await item.click();
    await page.waitForFunction((v: string) => document.body.getAttribute("data-jp-theme-light") === v, { timeout: 20_000 }, isLight);
    await page.keyboard.press("Escape"); // close any menu left open
    await sleep(500); // the theme's stylesheet is in; let the page repaint
  }

  /**
   * Every SVG output (JupyterLab shows them as <img>) has a white background of its own and ink
   * that stands out from it, whatever the theme; with `tables`, every text in a table output
   * contrasts at least 3:1 with the background actually behind it (WCAG's floor for large text;
   * a light-red row under the dark theme's light text, the failure this catches, gives 1.3:1).
   */
  async function expectLegible(theme: Theme, { tables = false, svgs }: { tables?: boolean; svgs?: number } = {}): Promise<void> {
    const unreadable: string[] = [];
    const imgs = await page.$$(`${ACTIVE} .jp-RenderedSVG img`);
    if (svgs !== undefined) expect(imgs).toHaveLength(svgs);
    for (const [i, img] of imgs.entries()) {
      const id = await img.evaluate((e: any) => /<svg[^>]*\bid="([^"]+)"/.exec(decodeURIComponent(e.src))?.[1] ?? "(no id)");
      // A diagram taller than the notebook's visible area would be screenshotted partly under
      // JupyterLab's own panels: make the viewport tall enough to show it whole.
      const height: number = await img.evaluate((e: any) => Math.ceil(e.getBoundingClientRect().height));
      if (height > 600) {
        await page.setViewport({ width: 1280, height: Math.min(height + 400, 16_000) });
        await sleep(300);
      }
      await img.evaluate((e: any) => e.scrollIntoView({ block: "start" }));
      const l = legibility(decodePng(Buffer.from(await img.screenshot({ type: "png" }))));
      if (height > 600) await page.setViewport({ width: 1280, height: 1000 });
      if (l.backgroundLuminance < 0.9 || l.inkShare < 0.002) {
        unreadable.push(`#${i} ${id}: background rgb(${l.background.join(",")}), ${(l.inkShare * 100).toFixed(2)}% clear ink`);
      }
    }
    expect(unreadable, `SVG outputs hard to read in ${theme}`).toEqual([]);
    if (!tables) return;
    const lowContrast: string[] = await page.evaluate((sel: string) => {
      const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
      const lum = ([r, g, b]: number[]) => {
        const f = (v: number) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
      };
      const behind = (e: any): number[] => {
        for (let n = e; n; n = n.parentElement) {
          const c = rgb(getComputedStyle(n).backgroundColor);
          if (c.length === 3 || (c.length === 4 && c[3]! > 0.5)) return c.slice(0, 3);
        }
        return [255, 255, 255];
      };
      const ownText = (e: any) =>
        Array.from(e.childNodes as any[])
          .filter((n: any) => n.nodeType === 3)
          .map((n: any) => n.textContent)
          .join("")
          .trim();
      const bad: string[] = [];
      for (const e of Array.from(document.querySelectorAll(`${sel} .jp-OutputArea-output table *`)) as any[]) {
        const t = ownText(e);
        if (!t) continue;
        const a = lum(rgb(getComputedStyle(e).color));
        const b = lum(behind(e));
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        if (ratio < 3) bad.push(`"${t.slice(0, 40)}": ${ratio.toFixed(2)}:1`);
      }
      return bad;
    }, ACTIVE);
    expect(lowContrast, `table text hard to read in ${theme}`).toEqual([]);
  }

  interface Seen {
    errors: string[];
    stdout: string;
    svgs: string[];
    tables: { caption: string; headers: string[]; cells: string[] }[];
  }

  /** What the notebook's outputs show: stderr/error text, stdout, SVG sources (JupyterLab shows SVG as <img>), tables. */
  function seen(): Promise<Seen> {
    return page.evaluate((sel: string) => {
      const q = (s: string, root: any = document) => Array.from(root.querySelectorAll(s)) as any[];
      const text = (e: any) => String(e.textContent ?? "").trim();
      const prefix = "data:image/svg+xml,";
      return {
        errors: q(`${sel} [data-mime-type="application/vnd.jupyter.stderr"], ${sel} [data-mime-type="application/vnd.jupyter.error"]`).map(text),
        stdout: q(`${sel} [data-mime-type="application/vnd.jupyter.stdout"]`).map(text).join("\n"),
        svgs: q(`${sel} .jp-RenderedSVG img`).map((img) => {
          const src = String(img.getAttribute("src") ?? "");
          return src.startsWith(prefix) ? decodeURIComponent(src.slice(prefix.length)) : "";
        }),
        tables: q(`${sel} .jp-OutputArea-output table`).map((t) => ({
          caption: text(t.querySelector("caption") ?? { textContent: "" }),
          headers: q("th", t).map(text),
          cells: q("td", t).map(text),
        })),
      };
    }, ACTIVE);
  }

  /**
   * Open a stripped copy, run every cell through the UI and return what it shows; then, in the
   * Light and the Dark theme (switched through the Settings menu), screenshot it and check that
   * its pictures and tables read clearly.
   */
  async function runNotebook(name: string): Promise<Seen> {
    copies.push(strippedCopy(name));
    await open(name);
    await runAll();
    const s = await seen();
    expect(s.errors, "a cell wrote to stderr (tslab reports errors there)").toEqual([]);
    const slug = name.replace(/\.ipynb$/, "");
    for (const theme of THEMES) {
      await setTheme(theme);
      await screenshot(path.join(ARTIFACTS, `jupyterlab-${slug}-${themeSlug(theme)}.png`));
      await expectLegible(theme, { tables: true });
    }
    await setTheme("JupyterLab Light");
    return s;
  }

  it(
    "00-welcome: Run All through the UI shows the flow diagram and the course map",
    async () => {
      const s = await runNotebook("00-welcome.ipynb");
      expect(s.stdout).toMatch(/tlbkata \d+\.\d+\.\d+/);
      expect(s.svgs.some((svg) => svg.includes('id="diagram-secondary-tlb-flow"') && svg.includes("invalidate"))).toBe(true);
      const map = s.tables.find((t) => t.headers.join() === "Notebook,Topic,Time,Kata");
      expect(map, "the course map table is not in the page").toBeDefined();
      expect(map!.cells).toContain("00-welcome.ipynb");
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "05-amd-iommu-v2 (a driver notebook): a trace drawn as a sequence diagram, cache and command tables",
    async () => {
      const s = await runNotebook("05-amd-iommu-v2.ipynb");
      const seq = s.svgs.filter((svg) => svg.includes('aria-roledescription="sequence"'));
      expect(seq, "no sequence diagram was drawn").toHaveLength(1);
      expect(seq[0]).toMatch(/invalidate/i);
      expect(s.tables.map((t) => t.caption)).toContain("Commands for one invalidation, IOMMU with an ATS device");
      expect(s.tables.length).toBeGreaterThanOrEqual(5);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "10-cost-of-invalidation: the cost charts and the results table",
    async () => {
      const s = await runNotebook("10-cost-of-invalidation.ipynb");
      const charts = s.svgs.filter((svg) => /<svg id="cost-[\w-]+"[^>]* role="img"/.test(svg));
      expect(charts, "the two cost charts were not drawn").toHaveLength(2);
      expect(charts[0]).toContain("<polyline");
      expect(s.tables.some((t) => t.headers.includes("driver") && t.cells.length > 0)).toBe(true);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "every SVG output of every committed notebook reads clearly in the Light and the Dark theme",
    async () => {
      const gallery = galleryCopy();
      copies.push(gallery.file);
      // Trust the copy (sign it in the scratch trust database): JupyterLab shows the SVG outputs
      // of trusted notebooks only.
      const sign = spawnSync(
        lab!.python,
        ["-c", "import sys, nbformat; from nbformat.sign import NotebookNotary; NotebookNotary().sign(nbformat.read(sys.argv[1], 4))", gallery.file],
        { env: pythonEnv({ JUPYTER_DATA_DIR: path.join(scratch, "data") }), encoding: "utf8" },
      );
      expect(sign.status, sign.stderr).toBe(0);
      await open(path.basename(gallery.file));
      await page.waitForFunction(
        (sel: string, n: number) => {
          const imgs = Array.from(document.querySelectorAll(`${sel} .jp-RenderedSVG img`)) as any[];
          return imgs.length === n && imgs.every((i) => i.complete && i.naturalWidth > 0);
        },
        { timeout: 30_000 },
        ACTIVE,
        gallery.svgs,
      );
      for (const theme of THEMES) {
        await setTheme(theme);
        await screenshot(path.join(ARTIFACTS, `jupyterlab-all-svg-outputs-${themeSlug(theme)}.png`));
        await expectLegible(theme, { svgs: gallery.svgs });
      }
      await setTheme("JupyterLab Light");
    },
    RUN_TIMEOUT_MS,
  );
});
