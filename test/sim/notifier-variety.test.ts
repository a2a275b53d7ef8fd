/**
 * The notifier core's real variety (issue 11, item 7), through the public API:
 * non-blockable ranges (the oom reaper), the events kernel paths put on their ranges,
 * two subscriptions sharing one ops table, release-only subscribers, the walk's order,
 * and an alloc_notifier that fails. Each wrong core or driver is caught by a named rule
 * in the new scenario and passes in the one the first model had (a test of the test).
 */
import { describe, expect, it } from "vitest";
import {
  World,
  Mutex,
  explore,
  runStraight,
  runSchedule,
  StepAbort,
  baseScenario,
  addDevice,
  addKernelThread,
  addVictim,
  munmapProgram,
  oomReapProgram,
  exitProgram,
  findScenario,
  mmu_notifier,
  mmu_notifier_range_blockable,
  MmuNotifierCore,
  pluggableCore,
  registerRulesKernel,
  sharedSvaDriver,
  srcu_read_lock,
  srcu_read_unlock,
  page,
  pte_present,
  EAGAIN,
  ENOMEM,
  type DriverSpec,
  type KernelOptions,
  type mmu_notifier_ops,
  type mmu_notifier_range,
  type ScenarioParts,
  type Violation,
} from "tlbkata";
import { driver } from "./helpers";
import * as solution from "../../solutions/02-register-rules/mmu_notifier";

const found = (w: World): Violation | null => (w.setupViolations[0] ?? explore(w).violation?.violation) ?? null;

/** Register `ops` as one more subscription on the scenario's mm, at set-up. */
function subscribe(p: ScenarioParts, ops: mmu_notifier_ops, name: string): mmu_notifier {
  const sub = new mmu_notifier(p.w.k.sim, ops, name);
  p.w.setup(() => p.w.k.mn.mmu_notifier_register(sub, p.mm));
  return sub;
}

type Path = "munmap" | "oom";

/** Two pages, a device reading page A and writing B, then `path` over the VMA, and a victim. */
function world(drv: DriverSpec, path: Path, kernel: KernelOptions = {}, more?: (p: ScenarioParts) => void): { w: World; p: ScenarioParts } {
  const p = baseScenario(drv, { pages: 2, kernel });
  more?.(p);
  addDevice(p, [
    { op: "read", addr: page(0), name: "A" },
    { op: "write", addr: page(1), name: "B" },
  ]);
  const k = p.w.k;
  addKernelThread(p, path, path === "oom" ? oomReapProgram(k, p.mm, 2) : munmapProgram(k, p.vma, page(0), page(2), 2));
  addVictim(p);
  return { w: p.w, p };
}

describe("non-blockable ranges: the oom reaper", () => {
  /** A start/end user (a software TLB) whose range_start takes a mutex: it sleeps. */
  const sleepyOps = (lock: () => Mutex, checksBlockable: boolean): mmu_notifier_ops => ({
    name: checksBlockable ? "careful-start" : "sleepy-start",
    invalidate_range_start(_sub, range) {
      if (checksBlockable && !mmu_notifier_range_blockable(range)) return -EAGAIN;
      lock().mutex_lock();
      lock().mutex_unlock();
      return 0;
    },
  });
  const withSleeper = (checks: boolean) => (p: ScenarioParts) => {
    const m = new Mutex(p.w.k.locks, "kvm.lock");
    subscribe(p, sleepyOps(() => m, checks), "kvm.notifier");
  };

  it("a range_start that sleeps in the oom reaper's range is sleep-in-atomic; in munmap's it is fine", () => {
    const v = found(world(driver("correct-generic"), "oom", {}, withSleeper(false)).w);
    expect(v?.rule).toBe("sleep-in-atomic");
    expect(v?.message).toContain("non-blockable");
    expect(found(world(driver("correct-generic"), "munmap", {}, withSleeper(false)).w)).toBeNull();
  });

  it("one that returns -EAGAIN when the range is not blockable passes, and the reaper leaves the VMA mapped", () => {
    expect(found(world(driver("correct-generic"), "oom", {}, withSleeper(true)).w)).toBeNull();
    const again = world(driver("correct-generic"), "oom", {}, withSleeper(true));
    expect(runStraight(again.w).violation).toBeUndefined();
    expect(pte_present(again.p.mm.pgd.get_pte(page(0)))).toBe(true);
    expect(again.w.k.mn.warnings.fired).toEqual([]);
  });

  it("without a subscription that refuses, the reaper zaps the VMA", () => {
    const { w, p } = world(driver("correct-generic"), "oom");
    expect(runStraight(w).violation).toBeUndefined();
    expect(pte_present(p.mm.pgd.get_pte(page(0)))).toBe(false);
  });

  /** A core that does not call range_start for ranges that may not block. */
  class SkipsNonBlockable extends MmuNotifierCore {
    override mn_hlist_invalidate_range_start(range: mmu_notifier_range): number {
      return mmu_notifier_range_blockable(range) ? super.mn_hlist_invalidate_range_start(range) : 0;
    }
  }
  const skips: KernelOptions = { core: (b) => new SkipsNonBlockable(b.sim, b.locks) };

  it("a core that skips non-blockable ranges leaves a start user's device TLB stale; in munmap it passes", () => {
    // Straight runs: the device fills its TLB first, then the path runs.
    const v = runStraight(world(driver("start-only"), "oom", skips).w).violation;
    expect(v?.rule).toBe("stale-tlb-at-free");
    expect(runStraight(world(driver("start-only"), "oom").w).violation).toBeUndefined();
    expect(runStraight(world(driver("start-only"), "munmap", skips).w).violation).toBeUndefined();
  });

  it("a failed start is rolled back: every range_end user is told, and a failure in a blockable range warns", () => {
    const ends: string[] = [];
    const { w } = world(driver("correct-generic"), "oom", {}, (p) => {
      subscribe(p, { name: "end-user", invalidate_range_start: () => 0, invalidate_range_end: (_s, r) => void ends.push(r.event) }, "end.notifier");
      subscribe(p, { name: "refuses", invalidate_range_start: () => -EAGAIN }, "refuses.notifier");
    });
    expect(runStraight(w).violation).toBeUndefined();
    expect(ends).toEqual(["MMU_NOTIFY_UNMAP"]);
    expect(w.k.mn.warnings.fired).toEqual([]);
    const bad = world(driver("correct-generic"), "munmap", {}, (p) => subscribe(p, { name: "refuses", invalidate_range_start: () => -EAGAIN }, "refuses.notifier"));
    runStraight(bad.w);
    expect(bad.w.k.mn.warnings.fired.join("\n")).toContain("failed with -11 in a blockable range");
  });
});

describe("the events kernel paths put on their ranges", () => {
  /** The (event, blockable) of every range_start a straight run of `scenario` makes. */
  function events(scenario: string, kernel: KernelOptions = {}): string[] {
    const got: string[] = [];
    const rec: mmu_notifier_ops = {
      name: "recorder",
      invalidate_range_start(_s, r) {
        got.push(`${r.event}${mmu_notifier_range_blockable(r) ? "" : " nonblock"}`);
        return 0;
      },
    };
    const d = driver("correct-generic");
    const spy: DriverSpec = {
      ...d,
      bind(k, io, mm, pasid) {
        const r = d.bind(k, io, mm, pasid);
        k.mn.mmu_notifier_register(new mmu_notifier(k.sim, rec, "recorder"), mm);
        return r;
      },
    };
    runStraight(findScenario(scenario)!.build(spy, kernel));
    return [...new Set(got)];
  }

  it("as the kernel's paths do", () => {
    expect(events("munmap")).toEqual(["MMU_NOTIFY_UNMAP"]);
    expect(events("mprotect")).toEqual(["MMU_NOTIFY_PROTECTION_VMA"]);
    expect(events("mkclean")).toEqual(["MMU_NOTIFY_PROTECTION_PAGE"]);
    // fork write-protects the parent's PTEs; the parent's later COW fault clears one.
    expect(events("fork")[0]).toBe("MMU_NOTIFY_PROTECTION_PAGE");
    expect(events("cow")).toEqual(["MMU_NOTIFY_CLEAR"]);
    const got: string[] = [];
    const { w } = world(driver("correct-generic"), "oom", {}, (p) =>
      subscribe(p, { name: "r", invalidate_range_start: (_s, r) => (got.push(`${r.event}${mmu_notifier_range_blockable(r) ? "" : " nonblock"}`), 0) }, "r"),
    );
    runStraight(w);
    expect(got).toEqual(["MMU_NOTIFY_UNMAP nonblock"]);
  });
});

describe("two subscriptions sharing one ops table", () => {
  /** The walk as a core that calls each ops table once per notification would write it. */
  const oncePerOps: KernelOptions = {
    core: pluggableCore({
      __mmu_notifier_invalidate_secondary_tlbs(core, mm, start, end) {
        const id = srcu_read_lock(core.sim);
        const seen = new Set<mmu_notifier_ops>();
        for (const sub of core.subscriptions(mm)) {
          if (seen.has(sub.ops)) continue;
          seen.add(sub.ops);
          sub.ops.invalidate_secondary_tlbs?.(sub, mm, start, end);
        }
        srcu_read_unlock(core.sim, id);
      },
    }),
  };
  /** A walk that stops after the first subscription with the op. */
  const firstOnly: KernelOptions = {
    core: pluggableCore({
      __mmu_notifier_invalidate_secondary_tlbs(core, mm, start, end) {
        const id = srcu_read_lock(core.sim);
        for (const sub of core.subscriptions(mm)) {
          if (!sub.ops.invalidate_secondary_tlbs) continue;
          sub.ops.invalidate_secondary_tlbs(sub, mm, start, end);
          break;
        }
        srcu_read_unlock(core.sim, id);
      },
    }),
  };
  /** The same driver binds the mm a second time (another PASID, no device): newest first, it is walked first. */
  const secondBind = (p: ScenarioParts) => p.w.setup(() => driver("correct-generic").bind(p.w.k, p.iommu, p.mm, p.pasid + 1));

  it("a core that calls each ops table once misses the older subscription's device: caught; with one subscription it passes", () => {
    const v = found(world(driver("correct-generic"), "munmap", oncePerOps, secondBind).w);
    expect(v?.rule).toBe("stale-tlb-at-free");
    expect(found(world(driver("correct-generic"), "munmap", oncePerOps).w)).toBeNull();
    expect(found(world(driver("correct-generic"), "munmap", {}, secondBind).w)).toBeNull();
  });

  it("a core that calls only the first subscriber is caught the same way; with one subscription it passes", () => {
    expect(found(world(driver("correct-generic"), "munmap", firstOnly, secondBind).w)?.rule).toBe("stale-tlb-at-free");
    expect(found(world(driver("correct-generic"), "munmap", firstOnly).w)).toBeNull();
  });

  it("subscriptions are walked newest first (hlist_add_head_rcu)", () => {
    const order: string[] = [];
    const { w } = world(driver("correct-generic"), "munmap", {}, (p) => {
      for (const n of ["first", "second", "third"]) subscribe(p, { name: n, invalidate_range_start: () => (order.push(n), 0) }, n);
    });
    runStraight(w);
    expect(order.slice(0, 3)).toEqual(["third", "second", "first"]);
  });
});

describe("release-only subscribers and exit's release, with the device still running", () => {
  it("a release-only subscriber gets release once at exit and nothing else; the device may run between releases", () => {
    const calls: string[] = [];
    const build = () => {
      const p = baseScenario(driver("correct-generic"), { pages: 2 });
      subscribe(p, { name: "release-only", release: () => void calls.push("release") }, "ro.notifier");
      addDevice(p, [
        { op: "read", addr: page(0), name: "A" },
        { op: "write", addr: page(1), name: "B" },
      ]);
      addKernelThread(p, "exit", exitProgram(p.w.k, p.mm, 2));
      addVictim(p);
      return p.w;
    };
    expect(found(build())).toBeNull();
    calls.length = 0;
    const w = build();
    const labels = runStraight(w).steps.map((s) => s.label);
    expect(calls).toEqual(["release"]);
    expect(labels.filter((l) => l.includes("mmu_notifier_release")).length).toBeGreaterThanOrEqual(3);
    // Exit enters its SRCU section and releases the newest subscription; the device
    // runs; exit goes on with the next release, inside the same section.
    const w2 = build();
    calls.length = 0;
    const [exit, dev] = ["exit", "dev0"].map((n) => w2.agents.findIndex((a) => a.name === n)) as [number, number];
    const t = runSchedule(w2, [exit, dev, exit]);
    expect(t.violation).toBeUndefined();
    expect(calls).toEqual(["release"]);
    expect(t.steps.map((s) => `${s.agentName}: ${s.label}`)).toEqual([
      "exit: exit_mmap: mmu_notifier_release",
      expect.stringMatching(/^dev0: /),
      "exit: mmu_notifier_release: ops->release of the next subscription",
    ]);
  });
});

describe("mmu_notifier_get_locked when alloc_notifier fails", () => {
  const failing = () => sharedSvaDriver({ alloc_notifier: () => -ENOMEM });
  /** A get that forgets alloc_notifier can fail: it registers what it got. */
  const masks = registerRulesKernel({
    ...solution,
    mmu_notifier_get_locked(core, ops, mm) {
      const sub = ops.alloc_notifier!(mm) as mmu_notifier;
      const r = solution.__mmu_notifier_register(core, sub, mm);
      return r === 0 ? sub : r;
    },
  });
  const bindWith = (kernel: KernelOptions) => {
    const d = failing();
    const w = findScenario("munmap")!.build(d, kernel);
    return { d, w };
  };

  it("the kernel's get returns the error and links nothing", () => {
    const { d, w } = bindWith(registerRulesKernel(solution));
    expect(d.errors).toEqual([-ENOMEM]);
    expect([...w.k.mn.subscriptions(w.k.mms[0]!)]).toEqual([]);
  });

  it("a get that does not check is caught as driver-crash; with an alloc that succeeds it passes", () => {
    let rule: string | undefined;
    try {
      bindWith(masks);
    } catch (e) {
      rule = (e as StepAbort).violation?.rule;
    }
    expect(rule).toBe("driver-crash");
    const d = sharedSvaDriver();
    const w = findScenario("munmap")!.build(d, masks);
    expect(found(w)).toBeNull();
  });
});
