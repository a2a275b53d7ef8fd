/**
 * Notebook 10's last chart: the explorer's states and transitions as a scenario gains
 * devices, with its reductions on and off (munmapGrowth runs the searches; growthChart
 * and growthTable draw what they returned), and why the reduced count still grows
 * (deviceCombinations).
 */
import { lineChart, compactNumber, PALETTE, type ChartSeries } from "./chart";
import { htmlTable } from "./html";
import { explore } from "../sched/explore";
import { munmapDevices } from "../scenarios/index";
import { genericDrivers } from "../drivers/generic";

/** One point of the growth: `n` devices, and the explorer's counts with and without reductions. */
export interface GrowthPoint {
  readonly n: number;
  readonly reduced: { readonly states: number; readonly transitions: number };
  readonly full: { readonly states: number; readonly transitions: number };
}

/** Every reduction off: persistent sets, sleep sets, dead values. */
const UNREDUCED = { persistentSets: false, sleepSets: false, deadValues: false } as const;

/**
 * Prove correct-generic on `munmap --pages n --batch batch` for n = 1 to maxN, once with
 * the explorer's reductions (the default) and once with none. The unreduced search
 * grows about ten times per device: maxN = 4 takes about a second, 5 about ten.
 */
export function munmapGrowth(maxN: number, batch = 4): GrowthPoint[] {
  if (!Number.isInteger(maxN) || maxN < 1) throw new RangeError(`munmapGrowth: maxN must be a positive integer, got ${maxN}`);
  const correct = genericDrivers.find((d) => d.name === "correct-generic")!;
  const points: GrowthPoint[] = [];
  for (let n = 1; n <= maxN; n++) {
    const world = () => munmapDevices(correct, undefined, { pages: n, batch });
    const reduced = explore(world());
    const full = explore(world(), UNREDUCED);
    points.push({ n, reduced: { states: reduced.states, transitions: reduced.transitions }, full: { states: full.states, transitions: full.transitions } });
  }
  return points;
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

/** One N of deviceCombinations. */
export interface DeviceCombinations {
  readonly n: number;
  /** States the proof reached. */
  readonly states: number;
  /** Distinct combinations of the devices' own states among them. */
  readonly combinations: number;
}

/**
 * Prove correct-generic on `munmap --pages n --batch batch` for n = 1 to maxN, and count
 * the combinations of the devices' own states (accesses done, and whether a page
 * request is outstanding) among the states the proof reaches.
 */
export function deviceCombinations(maxN: number, batch = 4): DeviceCombinations[] {
  if (!Number.isInteger(maxN) || maxN < 1) throw new RangeError(`deviceCombinations: maxN must be a positive integer, got ${maxN}`);
  const correct = genericDrivers.find((d) => d.name === "correct-generic")!;
  const rows: DeviceCombinations[] = [];
  for (let n = 1; n <= maxN; n++) {
    const world = munmapDevices(correct, undefined, { pages: n, batch });
    const st = world.store;
    const cells = Array.from({ length: n }, (_, i) => [st.slotNamed(`dev${i}.pc`), st.slotNamed(`dev${i}.waiting`)] as const);
    if (cells.some(([pc, wt]) => pc < 0 || wt < 0)) throw new Error("deviceCombinations: a device's pc or waiting cell is missing");
    const seen = new Set<string>();
    const r = explore(world, {
      onState: () => {
        let key = "";
        for (const [pc, wt] of cells) key += `${st.get(pc)}${st.get(wt) !== 0 ? "w" : ""},`;
        seen.add(key);
      },
    });
    rows.push({ n, states: r.states, combinations: seen.size });
  }
  return rows;
}

/** deviceCombinations as a table, with 5^N (each device: no read, one, both, or waiting after none or one) beside it. */
export function deviceCombinationsTable(rows: readonly DeviceCombinations[], caption: string): string {
  return htmlTable(
    ["devices", "states", "combinations of the devices' own states", "5^N"],
    rows.map((r) => [r.n, r.states, r.combinations, 5 ** r.n]),
    { caption },
  );
}
