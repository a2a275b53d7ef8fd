/**
 * Counting what one invalidation costs: measureCommands() runs a few lines that send
 * commands to fresh hardware and reads the hardware's own `cost` record; costTable()
 * lays several ways of invalidating side by side, one row per range size.
 */
import { World } from "../sim/world";
import { StepAbort } from "../sim/sim";
import type { Kernel } from "../kernel/kernel";
import type { IommuModel } from "../hw/iommu";
import { PAGE_SIZE, ULONG_MAX } from "../mm/constants";
import { htmlTable, type Cell } from "./html";

export interface Measured {
  /** Every command the hardware executed or was sent, all kinds together. */
  readonly total: number;
  /** The same, by kind. */
  readonly kinds: Readonly<Record<string, number>>;
  /** Set when the model's soft-lockup watchdog stopped the sending: the rule it reported. */
  readonly lockup?: string;
}

/**
 * Build fresh hardware with `makeHw` in a new World, run `send` as the set-up agent,
 * and return what the hardware counted. A StepAbort (the flood watchdog) ends the
 * sending and is reported as `lockup`; any other error is the cell's bug and is thrown.
 */
export function measureCommands<H extends IommuModel>(makeHw: (k: Kernel) => H, send: (hw: H, k: Kernel) => void): Measured {
  const w = new World({ frames: 8 });
  const hw = makeHw(w.k);
  let lockup: string | undefined;
  w.setup(() => {
    try {
      send(hw, w.k);
    } catch (e) {
      if (!(e instanceof StepAbort)) throw e;
      lockup = e.violation.rule;
    }
  });
  return lockup === undefined ? { total: hw.totalCommands(), kinds: { ...hw.cost } } : { total: hw.totalCommands(), kinds: { ...hw.cost }, lockup };
}

/** `3 × CMD_SYNC, 1 × CMD_TLBI_NH_ASID`: a cost record by kind, in its own order. */
export function costBreakdown(kinds: Readonly<Record<string, number>>): string {
  return Object.entries(kinds)
    .map(([kind, n]) => `${n} × ${kind}`)
    .join(", ");
}

/** What a cost table shows for one measurement: the total, or the watchdog's verdict. */
export function costCell(m: Measured | string): string {
  if (typeof m === "string") return m;
  return m.lockup ? `${m.lockup} after ${m.total}` : String(m.total);
}

/** One column of a cost table: how to invalidate a range of `bytes` bytes from address 0. */
export interface CostColumn {
  readonly title: string;
  /** `bytes` is a multiple of PAGE_SIZE, or ULONG_MAX for (0, ULONG_MAX). A string is shown as is ("not run"). */
  readonly measure: (bytes: number) => Measured | string;
}

export interface CostTableOptions {
  readonly caption?: string;
  /** Add a last column breaking down, by kind, what the column with this title sent. */
  readonly breakdown?: string;
}

/** The sizes of a cost table's rows: a page count, or "whole" for (0, ULONG_MAX). */
export type RangeSize = number | "whole";

/** A range size in bytes: pages × PAGE_SIZE, or ULONG_MAX for "whole". */
export function rangeBytes(size: RangeSize): number {
  return size === "whole" ? ULONG_MAX : size * PAGE_SIZE;
}

/** A range's size in exact units: "4 KiB", "2044 KiB", "2 MiB", "(0, ULONG_MAX)". */
export function rangeLabel(size: RangeSize): string {
  if (size === "whole") return "(0, ULONG_MAX)";
  const kib = (size * PAGE_SIZE) / 1024;
  if (kib % (1024 * 1024) === 0) return `${kib / (1024 * 1024)} GiB`;
  if (kib % 1024 === 0) return `${kib / 1024} MiB`;
  return `${kib} KiB`;
}

/** One row per size: the range, its page count, then each column's count (or lockup). */
export function costTable(sizes: readonly RangeSize[], columns: readonly CostColumn[], opts: CostTableOptions = {}): string {
  const detail = opts.breakdown === undefined ? -1 : columns.findIndex((c) => c.title === opts.breakdown);
  if (opts.breakdown !== undefined && detail < 0) throw new Error(`costTable: no column titled ${JSON.stringify(opts.breakdown)}`);
  const rows: Cell[][] = sizes.map((size) => {
    const bytes = rangeBytes(size);
    const results = columns.map((c) => c.measure(bytes));
    const row: Cell[] = [rangeLabel(size), size === "whole" ? "2^52" : size, ...results.map(costCell)];
    if (detail >= 0) {
      const m = results[detail]!;
      row.push(typeof m === "string" ? "" : costBreakdown(m.kinds));
    }
    return row;
  });
  const headers: Cell[] = ["range", "pages", ...columns.map((c) => c.title)];
  if (detail >= 0) headers.push(`what ${columns[detail]!.title} sends`);
  return htmlTable(headers, rows, opts.caption ? { caption: opts.caption } : {});
}
