/**
 * Step-by-step replays for notebooks: run a schedule one step at a time and record,
 * after each step, a few chosen pieces of state (a PTE, what a device TLB holds for an
 * address, who owns a frame). The result reads as a table: one row per step.
 */
import type { World } from "../sim/world";
import type { Violation } from "../oracle/violation";
import type { mm_struct } from "../mm/mm";
import type { Tlb } from "../hw/tlb";
import type { PhysMem } from "../mm/frames";
import { pte_describe } from "../mm/pte";
import { htmlTable, code, raw, escapeHtml, type Cell } from "./html";

/** One watched piece of state: a column of the replay table. */
export interface Watch {
  readonly title: string;
  readonly value: (w: World) => Cell;
}

export interface ReplayRow {
  readonly index: number;
  readonly agent: string;
  readonly label: string;
  readonly events: readonly string[];
  /** The watched values after this step. */
  readonly values: readonly Cell[];
  readonly violation?: Violation;
}

/**
 * Replay `schedule` (agent indices, as in Counterexample.schedule) on `world` from its
 * current state, tracing each step. Stops after the step that reports a violation.
 * Row 0 is the state before the first step.
 */
export function replaySteps(world: World, schedule: readonly number[], watches: readonly Watch[]): ReplayRow[] {
  world.setTracing(true);
  const snap = () => watches.map((c) => c.value(world));
  const rows: ReplayRow[] = [{ index: 0, agent: "", label: "(start)", events: [], values: snap() }];
  for (let i = 0; i < schedule.length; i++) {
    const a = schedule[i]!;
    if (!world.enabled(a)) throw new Error(`replaySteps: step ${i + 1} schedules ${world.agentName(a)}, which cannot run now`);
    const label = world.nextLabel(a);
    const r = world.step(a);
    const v = r.violations[0];
    rows.push({ index: i + 1, agent: world.agentName(a), label, events: r.events.slice(), values: snap(), ...(v ? { violation: v } : {}) });
    if (v) break;
  }
  if (rows.length === schedule.length + 1 && !rows[rows.length - 1]!.violation) {
    const v = world.finalCheck()[0];
    if (v) rows[rows.length - 1] = { ...rows[rows.length - 1]!, violation: v };
  }
  return rows;
}

/** The replay as an HTML table; the step that broke a rule is highlighted and explained. */
export function replayTable(rows: readonly ReplayRow[], watches: readonly Watch[], opts: { readonly events?: boolean } = {}): string {
  const headers: Cell[] = ["step", "agent", "what it does", ...watches.map((w) => w.title)];
  const body = rows.map((r) => {
    let what: Cell = r.label;
    if (opts.events && r.events.length) what = raw(`${escapeHtml(r.label)}<br><small>${r.events.map(escapeHtml).join("<br>")}</small>`);
    if (r.violation) what = raw(`${what instanceof Object ? String(what) : escapeHtml(String(what))}<br><b>✗ ${escapeHtml(r.violation.rule)}</b>: ${escapeHtml(r.violation.message)}`);
    return [r.index, r.agent, what, ...r.values];
  });
  const bad = rows.map((r, i) => (r.violation ? i : -1)).filter((i) => i >= 0);
  return htmlTable(headers, body, { highlight: bad });
}

// ---------------------------------------------------------------- watches

/** The leaf entry mapping `addr` in `mm`, as the page table holds it now. */
export function pteWatch(title: string, mm: mm_struct, addr: number): Watch {
  return {
    title,
    value: () => {
      const w = mm.pgd.walk(addr);
      return code(w ? pte_describe(w.entry) : "none");
    },
  };
}

/** What the given caches hold for `addr` under `tag` (a PASID), nearest first. */
export function cachedWatch(title: string, tlbs: readonly Tlb[], tag: number, addr: number): Watch {
  return {
    title,
    value: () => {
      const hits: string[] = [];
      for (const t of tlbs) {
        const h = t.lookup(tag, addr);
        if (h) hits.push(`pfn ${h.pfn} ${h.write ? "rw" : "ro"}`);
      }
      return hits.length ? code(hits.join(", ")) : "—";
    },
  };
}

/** Who owns a frame now (the process, another one, or free). */
export function frameWatch(title: string, phys: PhysMem, pfn: number): Watch {
  return { title, value: () => (phys.allocated(pfn) ? phys.ownerOf(pfn) : "free") };
}
