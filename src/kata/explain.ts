/**
 * Feedback read from what happened, never from what should have: which commands the
 * notifier callbacks sent (from the trace of a failing run), which caches they
 * cleaned, and which caches still held the page when a rule broke (from the world at
 * that moment), with the caches named in plain words. A learner who fixes half a bug
 * sees the half that changed.
 */
import type { World } from "../sim/world";
import type { Trace, TraceStep } from "../sched/model";
import type { Violation } from "../oracle/violation";
import type { Tlb, TlbEntry } from "../hw/tlb";
import { AmdIommu } from "../hw/amd/iommu";
import { ArmSmmuV3 } from "../hw/arm/smmu_v3";
import { IntelIommu } from "../hw/intel/vtd";
import { OcxlLink } from "../hw/ocxl/link";
import { GenericIommu } from "../hw/generic/iommu";
import { PAGE_SIZE, hex } from "../mm/constants";

/** Every translation cache of the world, with what it is in plain words. */
export function namedCaches(w: World): { tlb: Tlb; words: string }[] {
  const out: { tlb: Tlb; words: string }[] = [];
  for (const io of w.k.iommus) {
    for (const tlb of io.caches()) {
      let words = tlb.name;
      if (io instanceof AmdIommu) words = tlb === io.devIotlb ? "the device's own IOTLB (ATS)" : "the IOMMU's IOTLB";
      else if (io instanceof ArmSmmuV3) words = tlb === io.atc ? "the device's ATC (ATS)" : "the SMMU's TLB";
      else if (io instanceof IntelIommu) words = tlb === io.devtlb ? "the device-TLB (ATS)" : "the IOMMU's IOTLB";
      else if (io instanceof OcxlLink) words = "the accelerator's (AFU's) translation cache";
      else if (io instanceof GenericIommu) words = "the IOMMU's IOTLB";
      out.push({ tlb, words });
    }
  }
  for (const cpu of w.k.cpus) out.push({ tlb: cpu.tlb, words: `CPU ${cpu.id}'s TLB` });
  return out;
}

/** A kernel call that runs the notifier callbacks, as the trace logs it. */
const NOTIFIER_CALL = /^mmu_notifier_(invalidate_secondary_tlbs|invalidate_range_start|invalidate_range_end|invalidate_range_only_end) \[[^)]*\)/;
/** What a driver makes hardware do: queued commands, shootdown registers, context tables. */
const SENT = /^(queue |XTS_ATSD_(AVA|LAUNCH) <- |GCR3\[|CD\[\d+\] = |PASID \d+ entry cleared)/;
const CLEANED = /^invalidated (\d+) entr(?:y|ies) of tag/;

interface Segment {
  readonly step: number;
  readonly during: string;
  readonly sent: string[];
  readonly cleaned: Map<string, number>;
  readonly notifierCall: boolean;
  snooped: boolean;
}

/** Split each step's events at the notifier calls; keep the pieces where something was, or could have been, sent. */
function segments(steps: readonly TraceStep[], caches: readonly { tlb: Tlb; words: string }[], hardware: readonly string[]): Segment[] {
  const out: Segment[] = [];
  const words = new Map(caches.map((c) => [c.tlb.name, c.words]));
  const strip = (e: string): [string, string] | null => {
    for (const name of hardware) if (e.startsWith(name + ": ")) return [name, e.slice(name.length + 2)];
    for (const name of words.keys()) if (e.startsWith(name + ": ")) return [name, e.slice(name.length + 2)];
    return null;
  };
  for (const s of steps) {
    let cur: Segment | null = null;
    const open = (during: string, notifierCall: boolean): Segment => {
      const seg: Segment = { step: s.index, during, sent: [], cleaned: new Map(), notifierCall, snooped: false };
      out.push(seg);
      return seg;
    };
    for (const e of s.events) {
      const call = NOTIFIER_CALL.exec(e);
      if (call) {
        cur = open(call[0], true);
        continue;
      }
      const who = strip(e);
      if (!who) continue;
      const [name, what] = who;
      if (what.startsWith("BTM: snooped")) (cur ??= open(`${s.agentName}: ${s.label}`, false)).snooped = true;
      if (SENT.test(what)) (cur ??= open(`${s.agentName}: ${s.label}`, false)).sent.push(hardware.length > 1 ? `${name}: ${what.trim()}` : what.replace(/^queue /, "").trim());
      const clean = CLEANED.exec(what);
      if (clean && words.has(name)) {
        const seg = (cur ??= open(`${s.agentName}: ${s.label}`, false));
        seg.cleaned.set(words.get(name)!, (seg.cleaned.get(words.get(name)!) ?? 0) + Number(clean[1]));
      }
    }
  }
  return out.filter((g) => g.notifierCall || g.sent.length || g.cleaned.size);
}

/** A long list of commands as counts by kind ("1024 x INVALIDATE_IOMMU_PAGES"); a short one as is. */
function summarize(sent: readonly string[]): string {
  if (!sent.length) return "nothing sent";
  if (sent.length <= 6) return sent.join("; ");
  const kinds = new Map<string, number>();
  for (const c of sent) {
    const k = c.split(/ (?!\()/)[0]!.replace(/ <-.*/, "");
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  return `${sent.length} commands: ${[...kinds].map(([k, n]) => `${n} x ${k}`).join(", ")}`;
}

/** Does `e` still translate `addr` to `pfn` (or to anything, when pfn is unknown)? */
function holds(e: TlbEntry, addr: number, pfn: number | undefined): boolean {
  if (addr < e.va || addr >= e.va + e.size) return false;
  if (pfn === undefined) return true;
  return pfn >= e.pfn && pfn < e.pfn + e.size / PAGE_SIZE;
}

/** The last step whose events show `tlb` filling the entry at `va`. */
function lastFill(steps: readonly TraceStep[], tlb: Tlb, e: TlbEntry): TraceStep | undefined {
  const prefix = `${tlb.name}: fill tag ${e.tag} ${hex(e.va)} `;
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i]!.events.some((x) => x.startsWith(prefix))) return steps[i];
  return undefined;
}

/**
 * Lines that say, for a failed run: what the callbacks sent at each notifier call,
 * which caches that cleaned, and which caches still held the page when `v` was found.
 * `w` must be the world at that moment, `trace` the traced run that got there.
 */
export function explainRun(w: World, trace: Trace, v: Violation): string[] {
  const caches = namedCaches(w);
  const hardware = w.k.iommus.map((io) => io.name);
  if (!hardware.length) return [];
  const lines: string[] = [];
  const segs = segments(trace.steps, caches, hardware);
  if (segs.length) {
    lines.push("Sent to the hardware, step by step (at each call into the notifier core, and elsewhere), and the caches it cleaned:");
    for (const g of segs) {
      const by = g.snooped && !g.sent.length ? " (BTM: the SMMU snooped the CPU's TLBI)" : "";
      const cleaned = g.cleaned.size ? `; cleaned: ${[...g.cleaned].map(([c, n]) => `${c} (${n} entr${n === 1 ? "y" : "ies"})`).join(", ")}${by}` : "";
      lines.push(`  step ${g.step}, ${g.during}: ${summarize(g.sent)}${cleaned}.`);
    }
  } else {
    lines.push("The run shows no call into the notifier core and no command sent to the hardware before the rule broke.");
  }
  const release = trace.steps.find((s) => /mmu_notifier_release/.test(s.label));
  if (release && v.kind === "coherence") {
    lines.push(`After mmu_notifier_release (step ${release.index}) no callback of this notifier runs again: what release left cached stays cached.`);
  }
  if (v.address !== undefined) {
    // For a write-protect rule only a writable translation is wrong.
    const writable = v.rule === "stale-write-permission";
    const held: string[] = [];
    for (const { tlb, words } of caches) {
      for (const e of tlb.entries()) {
        if (!holds(e, v.address, v.pfn) || (writable && !e.write)) continue;
        const fill = lastFill(trace.steps, tlb, e);
        held.push(`${words} [${tlb.name}]${fill ? `, filled at step ${fill.index} (${fill.agentName}: ${fill.label})` : ""}`);
        break;
      }
    }
    const what = `${writable ? "a writable translation of " : ""}${hex(v.address)}${v.pfn !== undefined ? ` (pfn ${v.pfn})` : ""}`;
    lines.push(held.length ? `Still holding ${what} when the rule broke: ${held.join("; ")}.` : `No cache still held ${what} when the rule broke.`);
  }
  return lines;
}
