/**
 * The model against the kernel code it cites (docs/KERNEL-FACTS.md): for each fact, the
 * kernel's behaviour passes, and where the RFC and v6.6 differ the difference shows.
 */
import { describe, expect, it } from "vitest";
import {
  findScenario,
  baseScenario,
  addDevice,
  addKernelThread,
  addVictim,
  reclaimProgram,
  runScenarioStraight,
  eagerSvaDriver,
  intelSvmDriver,
  upgradeScenario,
  upgradeDriver,
  upgradeKernel,
  arch_flush_range,
  tlb_single_page_flush_ceiling,
  Kernel,
  mmu_notifier,
  ULONG,
  ULONG_MAX,
  ULONG_MAX_UL,
  ul_sub,
  ul_to_number,
  page,
  PAGE_SIZE,
  BASE,
  HPAGE_PMD_NR,
  type KernelOptions,
  type RecordedInvalidation,
  type RuleId,
  type Scenario,
  type World,
  type DriverSpec,
} from "tlbkata";
import { configure, driver, exploreWorld, findViolation } from "./helpers";
import { intel_mmuops, intel_svm_pages } from "../../solutions/07-intel-svm/intel_svm";
import { intel_mmuops as intel_v66 } from "../../katas/07-intel-svm/mutants/v6-6-page-count-wraps";

const RFC: KernelOptions = { arch: { notifierModel: "rfc" } };
const V66: KernelOptions = { arch: { notifierModel: "v6.6" } };
const STALE: readonly RuleId[] = ["stale-tlb-at-free", "stale-tlb-after-ptl-release", "stale-write-permission", "stale-tlb-at-copy"];

/** The invalidations a straight run of `scenario` sent to a correct driver, with whether the ptl was held. */
function recorded(scenario: string | Scenario, kernel: KernelOptions): RecordedInvalidation[] {
  const record: RecordedInvalidation[] = [];
  runScenarioStraight(scenario, eagerSvaDriver({ record }), { kernel });
  return record;
}

describe("migration (try_to_migrate_one): no notifier call under the ptl; clean before the copy", () => {
  it("RFC: the secondary flush comes only from range_end, after the ptl is dropped", () => {
    const rs = recorded("migration", RFC);
    expect(rs.length).toBeGreaterThan(0);
    expect(rs.filter((r) => r.atomic)).toEqual([]);
  });

  it("v6.6: the arch flush in ptep_clear_flush tells secondary TLBs, under the ptl", () => {
    expect(recorded("migration", V66).filter((r) => r.atomic)).toEqual([{ start: page(0), end: page(1), atomic: true }]);
  });

  it("end-only is proven coherent (range_end comes before the copy); sleeps passes in the RFC and is caught in v6.6", () => {
    const e = findViolation("migration", "end-only", { kernel: RFC });
    expect(e.violation).toBeNull();
    expect(e.complete).toBe(true);
    expect(findViolation("migration", "sleeps", { kernel: RFC }).violation).toBeNull();
    expect(findViolation("migration", "sleeps", { kernel: V66 }).violation?.rule).toBe("sleep-in-atomic");
  });

  it("start-only is caught at the copy (stale-tlb-at-copy), and only by the oracle", () => {
    expect(findViolation("migration", "start-only").violation?.rule).toBe("stale-tlb-at-copy");
    expect(findViolation("migration", "start-only", { oracle: false }).violation).toBeNull();
  });

  it("with that rule off, the harm shows: a device write after the copy is lost, and the message says migration", () => {
    // The device's entry must take a write without a walk (a translation cached dirty):
    // the write-walk switched off lets the read-filled entry stand in for one.
    const v = findViolation("migration", "start-only", { disable: ["stale-tlb-at-copy", "stale-tlb-at-free"], kernel: { model: { dirtyBitWalk: false } } }).violation;
    expect(v?.rule).toBe("lost-write");
    expect(v?.message).toMatch(/migration had already copied/);
  });
});

describe("lost-write: only where a write is really lost", () => {
  it("reclaim to swap: a device write through a stale entry before pageout is carried to swap, never a lost write", () => {
    const r = findViolation("reclaim", "start-only", { disable: [...STALE, "use-after-free", "corruption"] });
    expect(r.violation).toBeNull();
    expect(r.complete).toBe(true);
  });

  it("the MADV_FREE discard: the next access gets a zero page, so a device write to the dropped page is lost, and the message says so", () => {
    // The lost write needs a device entry that writes without a walk while the PTE is
    // clean (one cached dirty before MADV_FREE cleaned the PTE, which is not modelled):
    // the write-walk switched off lets a read-filled entry stand in for it.
    const build = (): World => {
      const p = baseScenario(driver("start-only"), { pages: 1, kernel: { model: { dirtyBitWalk: false } } });
      addDevice(p, [
        { op: "read", addr: page(0), name: "A" },
        { op: "write", addr: page(0), name: "A" },
      ]);
      addKernelThread(p, "kswapd", reclaimProgram(p.w.k, p.vma, page(0), p.swap, "discard"));
      addVictim(p);
      return p.w;
    };
    const v = exploreWorld(configure(build(), { disable: [...STALE, "use-after-free", "corruption"] })).violation;
    expect(v?.rule).toBe("lost-write");
    expect(v?.message).toMatch(/MADV_FREE/);
    expect(exploreWorld(configure(build(), { oracle: false })).violation).toBeNull();
  });
});

describe("arm64 permission upgrade: the CPU flush, the SMMU without BTM, RFC 2/2 and v6.6", () => {
  const run = (kernel: KernelOptions): World => upgradeScenario.build(upgradeDriver("arm64"), kernel);

  it("the RFC's kernel without patch 2/2 livelocks the device: arm64's flush_tlb_page tells no secondary TLB", () => {
    expect(exploreWorld(run(upgradeKernel("arm64"))).violation?.rule).toBe("device-livelock");
  });

  it("with patch 2/2 (a notifier call in the flush block) the device makes progress on every interleaving", () => {
    const r = exploreWorld(run({ arch: { arch: "arm64", notifyOnUpgrade: true } }));
    expect(r.violation).toBeNull();
    expect(r.complete).toBe(true);
  });

  it("v6.6 needs no patch: flush_tlb_page itself notifies, so the upgrade's CPU flush reaches the SMMU", () => {
    const r = exploreWorld(run(upgradeKernel("arm64", undefined, "v6.6")));
    expect(r.violation).toBeNull();
    expect(r.complete).toBe(true);
    const rs: RecordedInvalidation[] = [];
    runScenarioStraight(upgradeScenario, upgradeDriver("arm64", rs), { kernel: upgradeKernel("arm64", undefined, "v6.6") });
    expect(rs).toContainEqual({ start: page(0), end: page(1), atomic: true });
  });

  it("the default SMMU is mainline's, without BTM: the driver always sends TLBIs", () => {
    const w = findScenario("munmap")!.build(driver("start-only"), { arch: { arch: "arm64" } });
    expect(w.k.tlbiSnoopers).toEqual([]);
  });
});

describe("x86 in v6.6: whole-mm flushes are notified as (0, -1UL)", () => {
  const x86 = new Kernel({ arch: { arch: "x86", notifierModel: "v6.6" } });

  it("a flush above tlb_single_page_flush_ceiling (33) pages becomes (0, ULONG_MAX); 33 pages, or one huge-page stride, does not", () => {
    expect(tlb_single_page_flush_ceiling).toBe(33);
    expect(arch_flush_range(x86, BASE, BASE + 33 * PAGE_SIZE)).toEqual([BASE, BASE + 33 * PAGE_SIZE]);
    expect(arch_flush_range(x86, BASE, BASE + 34 * PAGE_SIZE)).toEqual([0, ULONG_MAX]);
    expect(arch_flush_range(x86, BASE, BASE + HPAGE_PMD_NR * PAGE_SIZE, HPAGE_PMD_NR * PAGE_SIZE)).toEqual([BASE, BASE + HPAGE_PMD_NR * PAGE_SIZE]);
  });

  it("mprotect of 1024 pages and fork's flush_tlb_mm tell secondary TLBs (0, ULONG_MAX) in v6.6; the RFC tells them the range", () => {
    for (const s of ["mprotect-huge", "fork"]) {
      expect(recorded(s, V66).some((r) => r.start === 0 && r.end === ULONG_MAX), `${s}, v6.6`).toBe(true);
      expect(recorded(s, RFC).some((r) => r.end === ULONG_MAX), `${s}, RFC`).toBe(false);
    }
  });

  it("fork: correct-generic is proven coherent in both models; start-only keeps write permission to the COW page", () => {
    for (const kernel of [RFC, V66]) {
      const r = findViolation("fork", "correct-generic", { kernel });
      expect(r.violation).toBeNull();
      expect(r.complete).toBe(true);
      expect(findViolation("fork", "start-only", { kernel }).violation?.rule).toBe("stale-write-permission");
    }
  });

  /** kswapd reclaims A to swap with TTU_BATCH_FLUSH while the device reads and writes A. */
  const batchedReclaim = (drv: DriverSpec, kernel: KernelOptions): World => {
    const p = baseScenario(drv, { pages: 1, kernel });
    addDevice(p, [
      { op: "read", addr: page(0), name: "A" },
      { op: "write", addr: page(0), name: "A" },
    ]);
    addKernelThread(p, "kswapd", reclaimProgram(p.w.k, p.vma, page(0), p.swap, "swap", "kswapd", { batched: true }));
    addVictim(p);
    return p.w;
  };

  it("batched reclaim (arch_tlbbatch_add_pending): v6.6 x86 notifies (0, ULONG_MAX) under the ptl, v6.6 arm64 the page, the RFC the page from try_to_unmap_one", () => {
    const rec = (kernel: KernelOptions): RecordedInvalidation[] => {
      const record: RecordedInvalidation[] = [];
      runScenarioStraight({ name: "reclaim-batched", summary: "", build: (d, k) => batchedReclaim(d, k!) }, eagerSvaDriver({ record }), { kernel });
      return record.filter((r) => r.atomic);
    };
    expect(rec(V66)).toEqual([{ start: 0, end: ULONG_MAX, atomic: true }]);
    expect(rec({ arch: { arch: "arm64", notifierModel: "v6.6" } })).toEqual([{ start: page(0), end: page(1), atomic: true }]);
    expect(rec(RFC)).toEqual([{ start: page(0), end: page(1), atomic: true }]);
    for (const kernel of [RFC, V66]) {
      const r = exploreWorld(batchedReclaim(driver("correct-generic"), kernel));
      expect(r.violation).toBeNull();
      expect(r.complete).toBe(true);
    }
  });

  it("v6.6's Intel page count wraps to 0 for (0, -1UL), as C's unsigned long does", () => {
    expect(ul_sub(ULONG(ULONG_MAX), ULONG(0))).toBe(ULONG_MAX_UL);
    expect(intel_svm_pages(0, ULONG_MAX)).toBe(0n);
    expect(ul_to_number(intel_svm_pages(page(3), page(6)))).toBe(3);
  });

  it("v6.6's Intel driver invalidates nothing for fork's flush_tlb_mm: the device keeps write permission; the v6.7-rc fix flushes the whole PASID", () => {
    const intel = (ops: typeof intel_mmuops) => intelSvmDriver({ intel_mmuops: ops });
    const buggy = exploreWorld(findScenario("fork")!.build(intel(intel_v66), V66));
    expect(buggy.violation?.rule).toBe("stale-write-permission");
    // In the RFC the same code is never asked for (0, -1UL): range_end tells it the VMA.
    expect(exploreWorld(findScenario("fork")!.build(intel(intel_v66), RFC)).violation).toBeNull();
    const fixed = exploreWorld(findScenario("fork")!.build(intel(intel_mmuops), V66));
    expect(fixed.violation).toBeNull();
    expect(fixed.complete).toBe(true);
  });

  it("the same bug on batched reclaim: the device keeps the page after the ptl is released", () => {
    const intel = (ops: typeof intel_mmuops) => intelSvmDriver({ intel_mmuops: ops });
    expect(exploreWorld(batchedReclaim(intel(intel_v66), V66)).violation?.rule).toBe("stale-tlb-after-ptl-release");
    expect(exploreWorld(batchedReclaim(intel(intel_mmuops), V66)).violation).toBeNull();
  });
});

describe("mprotect: range_end comes before the mmu_gather's CPU flush", () => {
  it("RFC: secondary TLBs are told at range_end and again by tlb_flush_mmu_tlbonly, both after the ptl is dropped", () => {
    const rs = recorded("mprotect", RFC);
    expect(rs).toEqual([
      { start: page(0), end: page(2), atomic: false },
      { start: page(0), end: page(2), atomic: false },
    ]);
  });

  it("v6.6: range_end tells nobody; only the gather's flush does, once", () => {
    expect(recorded("mprotect", V66)).toEqual([{ start: page(0), end: page(2), atomic: false }]);
  });

  it("each model is held to its own rule: in v6.6 the device keeps write permission past range_end, which the RFC's rule would call a bug", () => {
    const v66 = findViolation("mprotect", "correct-generic", { kernel: V66 });
    expect(v66.violation).toBeNull();
    expect(v66.complete).toBe(true);
    const w = findScenario("mprotect")!.build(driver("correct-generic"), V66);
    w.k.oracle.protectDeadline = "range_end";
    expect(exploreWorld(w).violation?.rule).toBe("stale-write-permission");
  });
});

describe("hugetlb_wp: huge_ptep_clear_flush, an explicit notify of the huge range, then a full range_end", () => {
  it("RFC: one notification of the 2 MiB page under the ptl, and range_end tells the driver again", () => {
    const rs = recorded("hugetlb-cow", RFC);
    const huge = { start: BASE, end: BASE + HPAGE_PMD_NR * PAGE_SIZE };
    expect(rs).toEqual([
      { ...huge, atomic: true },
      { ...huge, atomic: false },
    ]);
  });
});

describe("the notifier core", () => {
  it("walks subscriptions newest first (hlist_add_head_rcu)", () => {
    const k = new Kernel();
    const mm = k.mm_alloc("proc");
    const order: string[] = [];
    const sub = (name: string) => new mmu_notifier(k.sim, { name, invalidate_secondary_tlbs: () => void order.push(name) }, name);
    k.sim.setup(() => {
      for (const n of ["first", "second", "third"]) k.mn.mmu_notifier_register(sub(n), mm);
      k.mn.mmu_notifier_invalidate_secondary_tlbs(mm, BASE, BASE + PAGE_SIZE);
    });
    expect(order).toEqual(["third", "second", "first"]);
  });

  it("__mmu_notifier_register(NULL, mm), as the interval-notifier path calls it, sets up the mm without a warning", () => {
    const k = new Kernel();
    const mm = k.mm_alloc("proc");
    const r = k.sim.setup(() => {
      mm.mmap_lock.down_write();
      const ret = k.mn.__mmu_notifier_register(null, mm);
      mm.mmap_lock.up_write();
      return ret;
    });
    expect(r).toBe(0);
    expect(k.mn.mm_has_notifiers(mm)).toBe(true);
    expect(k.mn.warnings.fired).toEqual([]);
  });
});
