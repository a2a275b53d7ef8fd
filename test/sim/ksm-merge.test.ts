/**
 * KSM merging a page a device is reading (the ksm-merge scenario). write_protect_page()
 * and replace_page() use plain ptep_clear_flush(), so in the RFC model the secondary
 * flush comes from range_end only, and by the kernel's documented reasoning that is
 * enough: end-only is proven coherent here, unlike on every scenario that remaps or
 * frees before range_end. start-only is caught, and so is end-only once the old page is
 * freed before range_end. Each detection depends on the oracle.
 */
import { describe, expect, it } from "vitest";
import { ksmMergeWorld, runSchedule, page, pte_pfn, type KernelOptions, type RuleId, type World } from "tlbkata";
import { configure, driver, exploreWorld, findViolation, type FindOptions } from "./helpers";

const MODELS: readonly { readonly model: string; readonly kernel?: KernelOptions }[] = [
  { model: "RFC, x86" },
  { model: "v6.6, x86", kernel: { arch: { notifierModel: "v6.6" } } },
  { model: "RFC, arm64", kernel: { arch: { arch: "arm64" } } },
  { model: "v6.6, arm64", kernel: { arch: { arch: "arm64", notifierModel: "v6.6" } } },
];

/** The scenario with ksmd dropping its reference to the old page before range_end (not the kernel's order). */
function earlyPut(drv: string, o: FindOptions = {}): World {
  return configure(ksmMergeWorld(driver(drv), o.kernel, { putBeforeRangeEnd: true }), o);
}

interface Case {
  readonly what: string;
  readonly find: (o: FindOptions) => ReturnType<typeof exploreWorld>;
  readonly rules: readonly RuleId[];
  readonly disable?: readonly RuleId[];
}

const CAUGHT: readonly Case[] = [
  {
    what: "start-only: the device refills after range_start and keeps write permission past write_protect_page's range_end",
    find: (o) => findViolation("ksm-merge", "start-only", o),
    rules: ["stale-write-permission"],
  },
  {
    what: "start-only, with that rule off: the device refills after replace_page's range_start and maps the old page when it is freed",
    find: (o) => findViolation("ksm-merge", "start-only", o),
    rules: ["stale-tlb-at-free"],
    disable: ["stale-write-permission"],
  },
  {
    what: "end-only, with the old page freed before range_end",
    find: (o) => exploreWorld(earlyPut("end-only", o), o),
    rules: ["stale-tlb-at-free"],
  },
];

describe.each(MODELS)("ksm-merge ($model)", ({ kernel }) => {
  it.each(["correct-generic", "end-only"])("%s is proven coherent by exhaustive exploration", (drv) => {
    const r = findViolation("ksm-merge", drv, { kernel });
    expect(r.violation).toBeNull();
    expect(r.complete).toBe(true);
    expect(r.states).toBeGreaterThan(100);
  });

  describe.each(CAUGHT)("$what", (c) => {
    it(`is caught (${c.rules.join(" | ")})`, () => {
      const r = c.find({ kernel, disable: c.disable, shortest: true });
      expect(r.violation, "a violation must be found").not.toBeNull();
      expect(c.rules).toContain(r.violation!.rule);
    });

    it("is not caught with the oracle switched off (the test above depends on the oracle)", () => {
      const r = c.find({ kernel, disable: c.disable, oracle: false });
      expect(r.violation).toBeNull();
      expect(r.complete).toBe(true);
    });
  });
});

describe("ksm-merge: where the secondary flush comes from", () => {
  it("with the old page freed before range_end, correct-generic is caught in the RFC model (it is told at range_end only) and not in v6.6 (told by the TLB flush, under the ptl)", () => {
    const rfc = exploreWorld(earlyPut("correct-generic"));
    expect(rfc.violation?.rule).toBe("stale-tlb-at-free");
    expect(exploreWorld(earlyPut("correct-generic", { oracle: false })).violation).toBeNull();
    const v66 = exploreWorld(earlyPut("correct-generic", { kernel: MODELS[1]!.kernel }));
    expect(v66.violation).toBeNull();
    expect(v66.complete).toBe(true);
  });

  it("the sleeps driver passes in the RFC model (no call under a spinlock) and is caught in v6.6 (ptep_clear_flush under the ptl)", () => {
    expect(findViolation("ksm-merge", "sleeps").violation).toBeNull();
    expect(findViolation("ksm-merge", "sleeps", { kernel: MODELS[1]!.kernel }).violation?.rule).toBe("sleep-in-atomic");
    expect(findViolation("ksm-merge", "sleeps", { kernel: MODELS[1]!.kernel, oracle: false }).violation).toBeNull();
  });

  it("end-only: the device reads the old page after replace_page dropped the ptl, before range_end, and reads the same write", () => {
    // Waits drain the queue at once here, so the schedule below counts ksmd's steps alone.
    const w = ksmMergeWorld(driver("end-only"), { model: { asyncHardware: false } });
    const agent = (name: string) => Array.from({ length: w.agentCount }, (_, i) => w.agentName(i)).indexOf(name);
    const [dev, ksmd] = [agent("dev0"), agent("ksmd")];
    const steps = (n: number) => Array<number>(n).fill(ksmd);
    // ksmd up to write_protect_page's range_end; the device fills its IOTLB (read-only);
    // ksmd replaces the page and drops the ptl; the device reads through its entry.
    const t = runSchedule(w, [...steps(7), dev, ...steps(5), dev]);
    expect(t.violation).toBeUndefined();
    expect(t.steps.map((s) => s.label).slice(-2)).toEqual(["replace_page: pte_unmap_unlock", "dma read A (0x40000000)"]);
    const kpage = pte_pfn(w.k.mms[0]!.pgd.get_pte(page(0)));
    const read = /read A \(0x40000000\) from pfn (\d+): write #(\d+)/.exec(t.steps[t.steps.length - 1]!.events.join("\n"));
    expect(read, "the device read A").not.toBeNull();
    expect(Number(read![1]), "through the stale entry, not the KSM page").not.toBe(kpage);
    expect(read![2]).toBe("1");
    // range_end flushes it; ksmd's last put frees the old page; nothing is reported.
    const rest = runSchedule(w, [ksmd, ksmd, dev]);
    expect(rest.violation).toBeUndefined();
  });
});
