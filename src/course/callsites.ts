/**
 * Where the core calls `invalidate_secondary_tlbs`: a spy driver (correct-generic's
 * flush and release) records, for every call, which core function made it, read off
 * the JavaScript call stack, and callSiteTable() runs each scenario straight with it.
 * Also the v6.6 kernel options, for comparing the two placements.
 */
import type { KernelOptions } from "../kernel/kernel";
import type { MmuNotifierCore } from "../notifier/mmu_notifier";
import type { DriverSpec } from "../drivers/driver";
import { runStraight } from "../sched/run";
import { scenarios as standardScenarios, type Scenario } from "../scenarios/index";
import { hex } from "../mm/constants";
import { genericOpsDriver } from "./opsdriver";
import { spyRecord, spyRecords } from "./spy";
import { htmlTable, code, type Cell } from "./html";

/** Core functions that may call the op, innermost first, with how the table names them. */
const CALLERS: readonly (readonly [string, string])[] = [
  ["flush_tlb_mm_range", "flush_tlb_mm_range(): the TLB flush"],
  ["ptep_clear_flush_notify", "ptep_clear_flush_notify()"],
  ["huge_clear_flush", "pmdp_/pudp_huge_clear_flush_notify()"],
  ["tlb_flush_mmu_tlbonly", "tlb_flush_mmu_tlbonly()"],
  ["mn_hlist_invalidate_end", "range_end: mn_hlist_invalidate_end()"],
];
const PATH_ITSELF = "the path itself (try_to_unmap_one(), hugetlb_wp())";

/** The innermost known core caller on the current call stack (function names survive compilation). */
export function coreCaller(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  for (const line of stack.split("\n")) {
    for (const [fn, shown] of CALLERS) if (new RegExp(`\\b${fn} \\(`).test(line)) return shown;
  }
  return PATH_ITSELF;
}

/** correct-generic, recording each invalidate_secondary_tlbs call: caller and range, context, locks. */
export function callSiteDriver(): DriverSpec {
  return genericOpsDriver(
    "spy",
    (c) => ({
      name: "spy",
      invalidate_secondary_tlbs(_sub, _mm, start, end) {
        spyRecord(c.k, coreCaller(), `[${hex(start)}, ${hex(end)})`);
        c.flush(start, end);
      },
      release: c.release,
    }),
    "correct-generic that records where each invalidate_secondary_tlbs call comes from",
  );
}

export interface CallSite {
  readonly scenario: string;
  readonly label: string;
  readonly caller: string;
  readonly range: string;
  readonly context: string;
  /** Spinlocks only: sleeping locks held (mmap_lock) do not make the call atomic. */
  readonly spinlocks: string;
}

/** Every invalidate_secondary_tlbs call in a straight run of each scenario, in order. */
export function callSites(kernel?: KernelOptions, scenarios: readonly Scenario[] = standardScenarios): CallSite[] {
  const out: CallSite[] = [];
  for (const sc of scenarios) {
    const w = sc.build(callSiteDriver(), kernel);
    const trace = runStraight(w);
    // After the run: page-table locks are made when first needed.
    const spinlocks = new Set(w.k.locks.all.filter((l) => l.kind === "spinlock").map((l) => l.name));
    for (const r of spyRecords(trace)) {
      const held = r.locks === "-" ? [] : r.locks.split(", ").filter((l) => spinlocks.has(l));
      out.push({ scenario: sc.name, label: r.label, caller: r.who, range: r.what, context: r.context, spinlocks: held.join(", ") || "-" });
    }
  }
  return out;
}

/** callSites() as a table; a scenario with no call gets a row saying so. */
export function callSiteTable(kernel?: KernelOptions, opts: { readonly caption?: string; readonly scenarios?: readonly Scenario[] } = {}): string {
  const list = opts.scenarios ?? standardScenarios;
  const sites = callSites(kernel, list);
  const rows: Cell[][] = [];
  for (const sc of list) {
    const mine = sites.filter((s) => s.scenario === sc.name);
    if (!mine.length) rows.push([code(sc.name), "(no call: release stopped the device first)", "", "", "", ""]);
    for (const s of mine) rows.push([code(s.scenario), s.label, code(s.caller), code(s.range), s.context, s.spinlocks]);
  }
  const head = ["scenario", "kernel step", "called from", "range", "context", "spinlocks held"];
  return htmlTable(head, rows, opts.caption ? { caption: opts.caption } : {});
}

/** v6.6's core: range_end calls only invalidate_range_end, as if every end were "only_end". */
export function v66Core(base: MmuNotifierCore): MmuNotifierCore {
  const invalidateEnd = base.mn_hlist_invalidate_end.bind(base);
  base.mn_hlist_invalidate_end = (range, _onlyEnd) => invalidateEnd(range, true);
  return base;
}

/** The kernel v6.6 merged: the call in the architecture's TLB flush, none from range_end. */
export const V66_KERNEL: KernelOptions = { arch: { notifierModel: "v6.6" }, core: v66Core };
