/**
 * Notebook 10's last chart: the explorer's states and transitions as a scenario gains
 * devices, with its reductions on and off. The search itself stays in the notebook;
 * this only draws what it returned.
 */
import { lineChart, compactNumber, PALETTE, type ChartSeries } from "./chart";
import { htmlTable } from "./html";

/** One point of the growth: `n` devices, and the explorer's counts with and without reductions. */
export interface GrowthPoint {
  readonly n: number;
  readonly reduced: { readonly states: number; readonly transitions: number };
  readonly full: { readonly states: number; readonly transitions: number };
}

/** The line chart of states and transitions against n, on a log2 axis, with a 2^n line for scale. */
export function growthChart(growth: readonly GrowthPoint[], title: string): string {
  if (growth.length === 0) throw new Error("growthChart: no points to draw");
  const line = (name: string, pick: (g: GrowthPoint) => number, color: string, dashed = false): ChartSeries => ({
    name,
    color,
    dashed,
    points: growth.map((g) => [g.n, pick(g)] as const),
  });
  const first = growth[0]!;
  return lineChart({
    id: "explorer-growth",
    title,
    xLabel: "devices N, one page each",
    yLabel: "states and transitions (log scale)",
    yScale: "log2",
    yFormat: compactNumber,
    width: 820,
    height: 440,
    series: [
      line("transitions, unreduced", (g) => g.full.transitions, PALETTE[1]!, true),
      line("transitions, reduced", (g) => g.reduced.transitions, PALETTE[1]!),
      line("states, unreduced", (g) => g.full.states, PALETTE[0]!, true),
      line("states, reduced", (g) => g.reduced.states, PALETTE[0]!),
      line("2^N", (g) => first.full.states * 2 ** (g.n - first.n), "#999999", true),
    ],
  });
}

/** The same figures as a table. */
export function growthTable(growth: readonly GrowthPoint[], caption: string): string {
  return htmlTable(
    ["devices", "states", "transitions", "states, unreduced", "transitions, unreduced"],
    growth.map((g) => [g.n, g.reduced.states, g.reduced.transitions, g.full.states, g.full.transitions]),
    { caption },
  );
}
