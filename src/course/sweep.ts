/**
 * A driver against many scenarios: explore each one exhaustively and keep what the
 * oracle found (the first violation's rule and report, or the states proven clean).
 */
import { explore } from "../sched/explore";
import { scenarios as standardScenarios, type Scenario } from "../scenarios/index";
import type { DriverSpec } from "../drivers/driver";
import type { KernelOptions } from "../kernel/kernel";
import { htmlTable, code, type Cell } from "./html";

export interface SweepOptions {
  /** Default: the standard scenarios. */
  readonly scenarios?: readonly Scenario[];
  /** Kernel options for every scenario (an `arch.notifierModel`, say). */
  readonly kernel?: KernelOptions;
  /** Stop at the first scenario with a violation. */
  readonly stopAtFirst?: boolean;
}

export interface SweepRow {
  readonly scenario: string;
  /** The rule of the violation found, or null when exploration found none. */
  readonly rule: string | null;
  readonly message: string;
  readonly states: number;
  /** False when the exploration stopped before it had seen every state. */
  readonly complete: boolean;
}

/** Explore `driver` on each scenario, in order. */
export function sweep(driver: DriverSpec, o: SweepOptions = {}): SweepRow[] {
  const rows: SweepRow[] = [];
  for (const sc of o.scenarios ?? standardScenarios) {
    const r = explore(sc.build(driver, o.kernel));
    const v = r.violation?.violation;
    rows.push({ scenario: sc.name, rule: v ? v.rule : null, message: v ? v.message : "", states: r.states, complete: r.complete });
    if (v && o.stopAtFirst) break;
  }
  return rows;
}

function verdict(r: SweepRow): string {
  if (r.rule) return r.rule;
  return r.complete ? `none (${r.states} states)` : `none found (stopped after ${r.states} states)`;
}

/** One row per scenario: its name and what exploring `driver` there found. */
export function sweepTable(rows: readonly SweepRow[], column: string): string {
  return htmlTable(["scenario", column], rows.map((r): Cell[] => [code(r.scenario), verdict(r)]));
}

/**
 * One row per driver: the first rule it breaks on the scenarios, in order, with the
 * report, or that every scenario was proven clean.
 */
export function verdictTable(drivers: readonly DriverSpec[], o: Omit<SweepOptions, "stopAtFirst"> = {}): string {
  const rows: Cell[][] = drivers.map((d) => {
    const found = sweep(d, { ...o, stopAtFirst: true });
    const bad = found.find((r) => r.rule !== null);
    if (bad) return [code(d.name), `${bad.rule} (in ${bad.scenario})`, bad.message];
    const states = found.reduce((n, r) => n + r.states, 0);
    const all = found.every((r) => r.complete);
    return [code(d.name), "none", all ? `every scenario proven clean (${states} states in all)` : `no violation found in ${states} states (not exhaustive)`];
  });
  return htmlTable(["driver", "first rule broken", "report"], rows);
}

export interface GridOptions extends Omit<SweepOptions, "stopAtFirst"> {
  /** Search on for a shortest counterexample and show its length (default true). */
  readonly shortest?: boolean;
  readonly caption?: string;
}

/** One column of a grid: a driver, with kernel options of its own (they override the grid's). */
export interface GridColumn {
  readonly title: string;
  readonly driver: DriverSpec;
  readonly kernel?: KernelOptions;
}

export interface GridCell {
  readonly rule: string | null;
  /** Steps of the counterexample, or states visited when none was found. */
  readonly count: number;
  readonly complete: boolean;
}

function column(c: DriverSpec | GridColumn): GridColumn {
  return "driver" in c ? c : { title: c.name, driver: c };
}

/** Every scenario against every column, one exhaustive search per pair: `cells[scenario][column]`. */
export function gridCells(columns: readonly (DriverSpec | GridColumn)[], o: GridOptions = {}): { scenarios: string[]; cells: GridCell[][] } {
  const list = o.scenarios ?? standardScenarios;
  const cols = columns.map(column);
  const cells = list.map((sc) =>
    cols.map((c): GridCell => {
      const r = explore(sc.build(c.driver, c.kernel ?? o.kernel), { shortest: o.shortest ?? true });
      const v = r.violation;
      return v ? { rule: v.violation.rule, count: v.trace.steps.length, complete: r.complete } : { rule: null, count: r.states, complete: r.complete };
    }),
  );
  return { scenarios: list.map((s) => s.name), cells };
}

/**
 * The grid as a table: a row per scenario, a column per driver (or driver and kernel),
 * each cell the rule a shortest counterexample breaks (with its length) or "none" (with
 * the states visited). The caption says whether every search was complete, so that a
 * "none" is a proof for its scenario.
 */
export function gridTable(columns: readonly (DriverSpec | GridColumn)[], o: GridOptions = {}): string {
  const { scenarios, cells } = gridCells(columns, o);
  const rows: Cell[][] = scenarios.map((name, i) => [
    code(name),
    ...cells[i]!.map((c) => (c.rule ? `${c.rule} (${c.count} steps)` : `none (${c.count} states${c.complete ? "" : ", not exhaustive"})`)),
  ]);
  const incomplete = cells.flat().filter((c) => !c.complete).length;
  const done = incomplete ? `${incomplete} searches stopped before the end` : "every search was complete";
  return htmlTable(["scenario", ...columns.map((c) => code(column(c).title))], rows, { caption: o.caption ? `${o.caption} (${done})` : done });
}
