#!/usr/bin/env node
// Renders diagrams/*.mmd (Mermaid) to diagrams/svg/*.svg with @mermaid-js/mermaid-cli and
// the machine's Chromium or Chrome, all diagrams in ONE browser session (starting Chromium is most of the cost).
//
//   node scripts/notebooks/render-diagrams.mjs           render the diagrams whose SVG is missing or stale
//   node scripts/notebooks/render-diagrams.mjs --all     render every diagram
//   node scripts/notebooks/render-diagrams.mjs --check   render nothing; exit 1 if an SVG is missing or stale
//   node scripts/notebooks/render-diagrams.mjs [--all] diagrams/x.mmd ...   only these
//
// "Stale" is decided by content, not by file times (a fresh git clone gives every file the
// checkout's time): each SVG starts with a comment holding the SHA-256 of the source it was
// rendered from, and --check compares it with the source's current hash.
//
// Programmatic use (tests, scripts; not notebooks: mermaid-cli is ESM-only and needs a browser):
//   import { renderMermaidToSvg, withMermaidRenderer } from "./scripts/notebooks/render-diagrams.mjs";
//   const svg = await renderMermaidToSvg("flowchart LR\n  a --> b");
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ROOT, UserError, isExecutable, runMain } from "../course/lib.mjs";

export const DIAGRAMS_DIR = path.join(ROOT, "diagrams");
export const SVG_DIR = path.join(DIAGRAMS_DIR, "svg");
export const PUPPETEER_CONFIG = path.join(path.dirname(fileURLToPath(import.meta.url)), "puppeteer.json");
const HASH_RE = /^<!-- source-sha256: ([0-9a-f]{64}) /;

export function sourceHash(text) {
  return crypto.createHash("sha256").update(text.replace(/\r\n/g, "\n")).digest("hex");
}

/**
 * Launch options from puppeteer.json. The browser is PUPPETEER_EXECUTABLE_PATH when set, else the
 * first of puppeteer.json's executableCandidates that is installed (Debian's Chromium, Chrome, ...),
 * else the first candidate (which does not exist: see browserMissingMessage).
 */
export function puppeteerLaunchOptions() {
  const { executableCandidates = [], ...opts } = JSON.parse(fs.readFileSync(PUPPETEER_CONFIG, "utf8"));
  opts.executablePath = process.env.PUPPETEER_EXECUTABLE_PATH || executableCandidates.find(isExecutable) || executableCandidates[0];
  return opts;
}

/** One line saying that there is no browser, and what to install. */
export function browserMissingMessage() {
  const custom = process.env.PUPPETEER_EXECUTABLE_PATH;
  if (custom) return `no browser at ${custom} (PUPPETEER_EXECUTABLE_PATH): point it at your Chrome or Chromium`;
  return "no Chromium or Chrome found: install Debian's chromium package (`node scripts/setup.mjs --chromium` does, or `sudo apt-get install chromium`), or Chrome, or set PUPPETEER_EXECUTABLE_PATH to your browser";
}

/** True when the browser named by the puppeteer config exists here. */
export function browserAvailable() {
  return isExecutable(puppeteerLaunchOptions().executablePath);
}

/** Entry file of @mermaid-js/mermaid-cli (ESM-only: its exports have no "require" condition). */
function mermaidCliEntry() {
  const dir = path.join(ROOT, "node_modules", "@mermaid-js", "mermaid-cli");
  let pkg;
  try {
    pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  } catch {
    throw new UserError("@mermaid-js/mermaid-cli is not installed: run `npm install` (it is a devDependency)");
  }
  const exp = pkg.exports?.["."];
  const rel = (typeof exp === "string" ? exp : exp?.import?.default ?? exp?.import ?? exp?.default) ?? pkg.main;
  return path.join(dir, rel);
}

/** The puppeteer module that mermaid-cli brings (its peer dependency), for browser tests too. */
export async function loadPuppeteer() {
  return (await loadMermaidCli()).puppeteer;
}

async function loadMermaidCli() {
  const entry = mermaidCliEntry();
  const cli = await import(pathToFileURL(entry).href);
  // Use the puppeteer that mermaid-cli itself resolves (its peer dependency).
  const pup = await import(pathToFileURL(createRequire(entry).resolve("puppeteer")).href);
  const puppeteer = typeof pup.launch === "function" ? pup : pup.default;
  return { renderMermaid: cli.renderMermaid, puppeteer };
}

/**
 * Open one Chromium session, call fn(render) where render(text, {svgId}) resolves to SVG text,
 * then close the browser.
 */
export async function withMermaidRenderer(fn) {
  const launch = puppeteerLaunchOptions();
  if (!isExecutable(launch.executablePath)) throw new UserError(browserMissingMessage(), 3);
  const { renderMermaid, puppeteer } = await loadMermaidCli();
  const browser = await puppeteer.launch(launch);
  try {
    const render = async (text, { svgId = "mermaid-svg" } = {}) => {
      const { data } = await renderMermaid(browser, text, "svg", { svgId, backgroundColor: "white" });
      return Buffer.from(data).toString("utf8");
    };
    return await fn(render);
  } finally {
    await browser.close();
  }
}

/** Render one Mermaid definition to SVG text (starts and stops a browser: about 2-4 s). */
export function renderMermaidToSvg(text, opts = {}) {
  return withMermaidRenderer((render) => render(text, opts));
}

/** The committed diagram sources, or the given ones. */
export function listSources(only = []) {
  if (only.length) return only.map((p) => path.resolve(p));
  if (!fs.existsSync(DIAGRAMS_DIR)) return [];
  return fs
    .readdirSync(DIAGRAMS_DIR)
    .filter((f) => f.endsWith(".mmd"))
    .sort()
    .map((f) => path.join(DIAGRAMS_DIR, f));
}

export function svgPathFor(source) {
  return path.join(SVG_DIR, path.basename(source, ".mmd") + ".svg");
}

/** "ok" | "missing" | "stale" for one source. */
export function svgState(source) {
  const svg = svgPathFor(source);
  if (!fs.existsSync(svg)) return "missing";
  const head = fs.readFileSync(svg, "utf8").slice(0, 200);
  const m = HASH_RE.exec(head);
  return m && m[1] === sourceHash(fs.readFileSync(source, "utf8")) ? "ok" : "stale";
}

/** An id unique per diagram, so that two diagrams inlined in one page do not share CSS/marker ids. */
function svgIdFor(source) {
  return "diagram-" + path.basename(source, ".mmd").replace(/[^A-Za-z0-9_-]/g, "-");
}

export async function renderSources(sources, log = console.log) {
  const t0 = Date.now();
  await withMermaidRenderer(async (render) => {
    fs.mkdirSync(SVG_DIR, { recursive: true });
    for (const src of sources) {
      const text = fs.readFileSync(src, "utf8");
      const t = Date.now();
      const svg = await render(text, { svgId: svgIdFor(src) });
      const header = `<!-- source-sha256: ${sourceHash(text)} from diagrams/${path.basename(src)}; regenerate with scripts/notebooks/render-diagrams.mjs -->\n`;
      fs.writeFileSync(svgPathFor(src), header + svg + "\n");
      log(`diagrams: rendered ${path.relative(ROOT, svgPathFor(src))} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
  });
  return (Date.now() - t0) / 1000;
}

async function main() {
  const args = process.argv.slice(2);
  const flags = new Set(args.filter((a) => a.startsWith("-")));
  for (const f of flags) {
    if (!["--check", "--all"].includes(f)) throw new UserError(`unknown option ${f} (options: --check --all)`);
  }
  const sources = listSources(args.filter((a) => !a.startsWith("-")));
  for (const s of sources) if (!fs.existsSync(s)) throw new UserError(`no such diagram source: ${s}`);
  if (sources.length === 0) {
    console.log("diagrams: no diagrams/*.mmd sources");
    return 0;
  }
  if (flags.has("--check")) {
    const bad = sources.map((s) => [s, svgState(s)]).filter(([, st]) => st !== "ok");
    for (const [s, st] of bad) {
      console.error(`diagrams: ${path.relative(ROOT, svgPathFor(s))} is ${st === "missing" ? "missing" : "older than its source"} ${path.relative(ROOT, s)}`);
    }
    if (bad.length) {
      console.error("diagrams: run `node scripts/notebooks/render-diagrams.mjs` and commit diagrams/svg/");
      return 1;
    }
    console.log(`diagrams: ${sources.length} SVG(s) up to date`);
    return 0;
  }
  const todo = flags.has("--all") ? sources : sources.filter((s) => svgState(s) !== "ok");
  if (todo.length === 0) {
    console.log(`diagrams: ${sources.length} SVG(s) up to date, nothing to render (--all renders anyway)`);
    return 0;
  }
  const secs = await renderSources(todo);
  console.log(`diagrams: ${todo.length} rendered in one browser session, ${secs.toFixed(1)} s`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runMain("diagrams", main);
}
