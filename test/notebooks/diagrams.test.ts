// The committed SVGs match their Mermaid sources, and rendering with Debian's Chromium works.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { browserAvailable, puppeteerLaunchOptions, renderMermaidToSvg } from "../../scripts/notebooks/render-diagrams.mjs";
import { requireTool, runScript } from "./support";

describe("diagrams", () => {
  it("every diagrams/*.mmd has an up-to-date SVG in diagrams/svg (render-diagrams --check)", () => {
    const run = runScript("scripts/notebooks/render-diagrams.mjs", ["--check"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("--check fails, naming the file, when a source has no SVG", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tlbkata-mmd-"));
    try {
      const src = path.join(dir, "no-such-rendering-yet.mmd");
      fs.writeFileSync(src, "flowchart LR\n  a --> b\n");
      const run = runScript("scripts/notebooks/render-diagrams.mjs", ["--check", src]);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain("diagrams/svg/no-such-rendering-yet.svg is missing");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("rendering", () => {
    const browser = puppeteerLaunchOptions().executablePath;
    if (!requireTool(browserAvailable(), `Chromium (${browser})`, "run `node scripts/setup.mjs --chromium`")) return;

    it("renders a tiny flowchart to an <svg>", async () => {
      const svg = await renderMermaidToSvg("flowchart LR\n  pte[clear PTE] --> inv[invalidate device TLB]", {
        svgId: "tiny",
      });
      expect(svg).toMatch(/^<svg[\s>]/);
      expect(svg).toContain('id="tiny"');
      expect(svg).toContain("invalidate device TLB");
      expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    }, 60_000);
  });
});
