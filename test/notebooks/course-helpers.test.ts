// The notebooks' display helpers (src/course, exported as `course`): HTML tables, replays,
// SVG charts, and mermaid rendering with Chromium (skipped with a message when Chromium is
// missing, failing in CI).
import { inspect } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { course, explore, findScenario, genericDrivers, page, pte_pfn } from "tlbkata";
import { requireTool } from "./support";

const driver = (name: string) => genericDrivers.find((d) => d.name === name)!;

describe("course.htmlTable", () => {
  it("escapes text, keeps raw HTML, highlights rows", () => {
    const html = course.htmlTable(["a<b", "c"], [["x & y", course.code("<tag>")], [1, null]], { caption: "t", highlight: [1] });
    expect(html).toContain("<th style=\"text-align:left\">a&lt;b</th>");
    expect(html).toContain("x &amp; y");
    expect(html).toContain(`<code style="white-space:nowrap">&lt;tag&gt;</code>`);
    expect(html).toMatch(/<tr style="background:#ffd9d9;color:#111"><td[^>]*>1<\/td><td[^>]*><\/td><\/tr>/);
    expect(html).toContain("<caption");
  });
});

describe("course.replaySteps", () => {
  it("replays a counterexample one step per row, with the watched state and the violation", () => {
    const sc = findScenario("munmap")!;
    const cx = explore(sc.build(driver("start-only")), { shortest: true }).violation!;
    const w = sc.build(driver("start-only"));
    const mm = w.k.mms[0]!;
    const A = page(0);
    const pfn = pte_pfn(mm.pgd.get_pte(A));
    const watches = [
      course.pteWatch("PTE", mm, A),
      course.cachedWatch("IOTLB", w.k.iommus[0]!.caches(), mm.pasid, A),
      course.frameWatch("frame", w.k.phys, pfn),
    ];
    const rows = course.replaySteps(w, cx.schedule, watches);
    expect(rows).toHaveLength(cx.schedule.length + 1);
    expect(rows[0]!.label).toBe("(start)");
    const last = rows[rows.length - 1]!;
    expect(last.violation?.rule).toBe(cx.violation.rule);
    expect(last.values[2]).toBe("free");
    expect(String(last.values[1])).toContain(`pfn ${pfn}`);
    const html = course.replayTable(rows, watches);
    expect(html).toContain(cx.violation.rule);
    expect(html).toContain("background:#ffd9d9");
  });
});

describe("course charts", () => {
  it("draws a line chart with log axes, one polyline per series, leaving out points a log axis cannot show", () => {
    const svg = course.lineChart({
      title: "commands per range",
      xLabel: "pages",
      yLabel: "commands",
      xScale: "log2",
      yScale: "log10",
      series: [
        { name: "per page", points: [[1, 1], [16, 16], [512, 512], [4096, 4096]] },
        { name: "whole ASID", points: [[0, 5], [1, 1], [4096, 1]], dashed: true },
      ],
    });
    expect(svg).toMatch(/^<svg[\s>]/);
    expect(svg.endsWith("</svg>")).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg.match(/<circle/g)).toHaveLength(6); // the x = 0 point is dropped on a log axis
    expect(svg).toContain("commands per range");
    expect(svg).toContain("stroke-dasharray");
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it("draws grouped bars and formats numbers compactly", () => {
    const svg = course.barChart({ categories: ["4 KiB", "2 MiB"], series: [{ name: "a", values: [1, 512] }, { name: "b", values: [1, 1] }] });
    expect(svg.match(/<rect x=/g)?.length).toBe(1 + 4); // background + 4 bars
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(course.compactNumber(4096)).toBe("4096");
    expect(course.compactNumber(65536)).toBe("65.5K");
    expect(course.compactNumber(2 ** 40)).toBe("1.1T");
    expect(course.byteSize(2 ** 21)).toBe("2 MiB");
  });
});

describe("course.renderMermaid", () => {
  it("fails with one clear line when there is no browser", async () => {
    const saved = process.env.PUPPETEER_EXECUTABLE_PATH;
    process.env.PUPPETEER_EXECUTABLE_PATH = "/nonexistent/chromium";
    try {
      await course.closeRenderer();
      const err = await course.renderMermaid("sequenceDiagram\n  A->>B: hi").then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err).toBeInstanceOf(course.CourseError);
      expect(err!.message).toMatch(/needs Chromium, and there is none at \/nonexistent\/chromium: run `node scripts\/setup.mjs --chromium`/);
      expect(err!.message).not.toContain("\n");
      expect(err!.stack).toBe(`CourseError: ${err!.message}`);
      // What tslab prints for a failed cell (console.error): the one line, no brackets, no stack.
      expect(inspect(err)).toBe(`CourseError: ${err!.message}`);
      course.prepareRenderer(); // never throws, does nothing without a browser
    } finally {
      if (saved === undefined) delete process.env.PUPPETEER_EXECUTABLE_PATH;
      else process.env.PUPPETEER_EXECUTABLE_PATH = saved;
    }
  });

  describe("with Chromium", () => {
    if (!requireTool(course.rendererAvailable(), `Chromium (${course.browserOptions().executablePath})`, "run `node scripts/setup.mjs --chromium`")) return;
    afterAll(() => course.closeRenderer());

    it("renders a trace to SVG, several in one browser, with stable ids", async () => {
      const sc = findScenario("munmap")!;
      const cx = explore(sc.build(driver("end-only")), { shortest: true }).violation!;
      const [a, b] = await Promise.all([course.traceToSvg(cx.trace), course.renderMermaid("flowchart LR\n  a[clear PTE] --> b[invalidate]", { svgId: "tiny" })]);
      expect(a).toMatch(/^<svg[\s>]/);
      expect(a).toMatch(/id="trace-[0-9a-f]{12}"/);
      expect(a).toContain("stale-tlb-at-free");
      expect(b).toContain('id="tiny"');
      expect(b).toContain("invalidate");
      const again = await course.traceToSvg(cx.trace);
      expect(again.match(/id="(trace-[0-9a-f]{12})"/)![1]).toBe(a.match(/id="(trace-[0-9a-f]{12})"/)![1]);
    }, 60_000);

    it("reports a diagram mermaid cannot parse as one line", async () => {
      const err = await course.renderMermaid("sequenceDiagram\n  A->>: ;;;").then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err).toBeInstanceOf(course.CourseError);
      expect(err!.message).toMatch(/^Mermaid could not draw the diagram: /);
    }, 60_000);
  });
});
