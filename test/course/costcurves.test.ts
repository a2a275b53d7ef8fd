// Notebook 10's measuring helpers: each driver's count for one range, and where a
// per-page curve stops.
import { describe, expect, it } from "vitest";
import { course, CMDQ_MAX_TLBI_OPS } from "tlbkata";

describe("course cost curves", () => {
  it("ARM fixed sends per page below CMDQ_MAX_TLBI_OPS and one ASID-wide command from there on", () => {
    const below = course.armCost(CMDQ_MAX_TLBI_OPS - 1, "fixed")!;
    const at = course.armCost(CMDQ_MAX_TLBI_OPS, "fixed")!;
    expect(below).toBeGreaterThanOrEqual(CMDQ_MAX_TLBI_OPS - 1);
    expect(at).toBeLessThan(10);
    expect(course.armCost(CMDQ_MAX_TLBI_OPS - 1, "per page")).toBe(below);
  });

  it("a per-page curve stops where the watchdog fires; a flat one does not", () => {
    const sizes = [1, 2 ** 10, 2 ** 17, 2 ** 18];
    const series = course.costCurves(sizes, [
      ["per page", (n) => course.armCost(n, "per page")],
      ["AMD", course.amdCost],
    ]);
    expect(series[0]!.points.map(([n]) => n)).toEqual([1, 2 ** 10]);
    expect(series[1]!.points.map(([n]) => n)).toEqual(sizes);
    expect(new Set(series[1]!.points.map(([, c]) => c)).size).toBe(1);
  });

  it("OpenCAPI grows with the range, Intel does not", () => {
    expect(course.ocxlCost(16)! - course.ocxlCost(8)!).toBeGreaterThanOrEqual(8);
    expect(course.intelCost(16)).toBe(course.intelCost(8));
  });
});

describe("course.growthChart", () => {
  const growth = [1, 2].map((n) => ({ n, reduced: { states: 10 * n, transitions: 20 * n }, full: { states: 15 * n, transitions: 40 * n } }));
  it("draws five lines and tabulates every point", () => {
    const svg = course.growthChart(growth, "t");
    for (const name of ["transitions, unreduced", "states, reduced", "2^N"]) expect(svg).toContain(name);
    const html = course.growthTable(growth, "c");
    expect(html).toContain(">80<");
  });
  it("refuses an empty growth", () => {
    expect(() => course.growthChart([], "t")).toThrow(/no points/);
  });
});
