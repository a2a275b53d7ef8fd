/**
 * SRCU and teardown as the kernel has them (issue 11, item 6), through the public API:
 * srcu_read_lock's index, readers that span steps, grace periods that wait for the
 * readers that were there before, and mmu_notifier_put freeing through call_srcu.
 * Each wrong core is caught by a named rule with `srcuGracePeriods` on, and passes in
 * the scenario the first model had (a test of the test).
 */
import { describe, expect, it } from "vitest";
import {
  World,
  ProgramBuilder,
  Cell,
  kstruct,
  explore,
  runStraight,
  runSchedule,
  findScenario,
  MmuNotifierCore,
  mmu_notifier,
  pluggableCore,
  srcu_read_lock,
  srcu_read_unlock,
  srcuCallbackAgent,
  SpinLock,
  type KernelOptions,
  type mm_struct,
  type Violation,
} from "tlbkata";
import { driver } from "./helpers";

/** mmu_notifier_put as a first attempt writes it: the last put frees at once. */
class PutFreesAtOnce extends MmuNotifierCore {
  override mmu_notifier_put(subscription: mmu_notifier): void {
    subscription.users.value = subscription.users.value - 1;
    if (subscription.users.value > 0) return;
    subscription.linked.value = 0;
    this.mmu_notifier_free_rcu(subscription);
  }
}

/** mmu_notifier_unregister without its synchronize_srcu. */
class UnregisterNoGracePeriod extends MmuNotifierCore {
  override mmu_notifier_unregister(subscription: mmu_notifier, mm: mm_struct): void {
    if (subscription.linked.value && subscription.ops.release) subscription.ops.release(subscription, mm);
    subscription.linked.value = 0;
    subscription.users.value = 0;
  }
}

interface Fixture {
  readonly w: World;
  readonly sub: mmu_notifier;
  readonly drv: { freed: boolean; flushes: number };
}

/**
 * One mm with one subscription embedded in a driver structure, and a reader. A
 * spanning reader enters its SRCU section, reaches the subscription on the list, and
 * calls its op in a later step (as a callback that waits for its hardware does); the
 * first model's reader does all of it in one step.
 */
function fixture(o: { spanning: boolean; kernel?: KernelOptions; teardown: "put" | "unregister" }): Fixture {
  const w = new World(o.kernel ?? {});
  const k = w.k;
  const mm = k.mm_alloc("proc");
  const drv = kstruct(k.sim.store, "drv", { freed: false, flushes: 0 });
  const sub = new mmu_notifier(
    k.sim,
    {
      name: "test-sva",
      invalidate_secondary_tlbs() {
        if (drv.freed) k.sim.abort("use-after-free-notifier", "test-sva: invalidate_secondary_tlbs uses the driver structure after it was freed");
        drv.flushes = drv.flushes + 1;
      },
      free_notifier() {
        drv.freed = true;
      },
    },
    "test.notifier",
  );
  w.setup(() => k.mn.mmu_notifier_register(sub, mm));
  const idx = new Cell(k.sim.store, "reader.idx");
  const reached = new Cell(k.sim.store, "reader.reached");
  const r = new ProgramBuilder("reader");
  if (o.spanning) {
    r.step("srcu_read_lock; reach the subscription on the list", () => {
      idx.value = srcu_read_lock(k.sim);
      reached.value = [...k.mn.subscriptions(mm)].includes(sub) ? 1 : 0;
    });
    r.step("ops->invalidate_secondary_tlbs", () => {
      if (reached.value) k.mn.callOp(sub, "invalidate_secondary_tlbs", () => sub.ops.invalidate_secondary_tlbs!(sub, mm, 0, 4096));
    });
    r.step("srcu_read_unlock", () => srcu_read_unlock(k.sim, idx.value));
  } else {
    r.step("__mmu_notifier_invalidate_secondary_tlbs", () => k.mn.__mmu_notifier_invalidate_secondary_tlbs(mm, 0, 4096));
  }
  w.addThread("reader", "kernel", r.build());
  const t = new ProgramBuilder("unbind");
  if (o.teardown === "put") {
    t.step("mmu_notifier_put", () => k.mn.mmu_notifier_put(sub));
  } else {
    t.step("mmu_notifier_unregister", () => k.mn.mmu_notifier_unregister(sub, mm));
    // What a driver does once unregister returns: its structure goes.
    t.step("kfree(driver structure)", () => {
      drv.freed = true;
    });
  }
  w.addThread("unbind", "kernel", t.build());
  w.addAgent(srcuCallbackAgent(k.mn.srcu));
  return { w, sub, drv };
}

const found = (w: World): Violation | null => explore(w).violation?.violation ?? null;
const on = (core?: KernelOptions["core"]): KernelOptions => ({ core, model: { srcuGracePeriods: true } });
const off = (core?: KernelOptions["core"]): KernelOptions => ({ core, model: { srcuGracePeriods: false } });
const putAtOnce: KernelOptions["core"] = (b) => new PutFreesAtOnce(b.sim, b.locks);
const unregisterNoGp: KernelOptions["core"] = (b) => new UnregisterNoGracePeriod(b.sim, b.locks);

describe("mmu_notifier_put frees through call_srcu, after the readers that could still reach it", () => {
  it("the kernel's put: no reader meets a freed subscription, and the kworker frees it once", () => {
    const f = fixture({ spanning: true, kernel: on(), teardown: "put" });
    expect(found(f.w)).toBeNull();
    const again = fixture({ spanning: true, kernel: on(), teardown: "put" });
    const t = runStraight(again.w);
    expect(t.violation).toBeUndefined();
    expect(again.sub.freed.value).toBe(1);
    expect(again.drv.freed).toBe(true);
  });

  it("a put that frees at once is caught as use-after-free-notifier", () => {
    const v = found(fixture({ spanning: true, kernel: on(putAtOnce), teardown: "put" }).w);
    expect(v?.rule).toBe("use-after-free-notifier");
    expect(v?.kind).toBe("corruption");
  });

  it("the first model's reader, in one step, cannot show it: the same put passes there", () => {
    expect(found(fixture({ spanning: false, kernel: on(putAtOnce), teardown: "put" }).w)).toBeNull();
    expect(found(fixture({ spanning: false, kernel: off(putAtOnce), teardown: "put" }).w)).toBeNull();
  });

  it("with srcuGracePeriods off, grace periods are immediate: even the kernel's put frees under the reader", () => {
    expect(found(fixture({ spanning: true, kernel: off(), teardown: "put" }).w)?.rule).toBe("use-after-free-notifier");
  });

  it("the callback waits for its kworker: until it runs, nothing is freed", () => {
    const f = fixture({ spanning: false, kernel: on(), teardown: "put" });
    // reader, then unbind; the kworker (agent 2) is not scheduled.
    runSchedule(f.w, [0, 1]);
    expect(f.sub.linked.value).toBe(0);
    expect(f.sub.freed.value).toBe(0);
    runSchedule(f.w, [2]);
    expect(f.sub.freed.value).toBe(1);
  });
});

describe("a callback that waits keeps the core's SRCU read section open across steps", () => {
  /**
   * The core's own walk, in one step of a thread, calls a callback that waits for its
   * hardware (a flag another agent sets): the step ends inside the callback, inside the
   * core's SRCU section. Meanwhile another thread puts the last reference.
   */
  function waitingCallback(kernel: KernelOptions): World {
    const w = new World(kernel);
    const k = w.k;
    const mm = k.mm_alloc("proc");
    const drv = kstruct(k.sim.store, "drv", { freed: false, done: false });
    const sub = new mmu_notifier(
      k.sim,
      {
        name: "waits",
        invalidate_secondary_tlbs() {
          k.sim.waitUntil(() => drv.done, "the hardware to finish the invalidation");
          if (drv.freed) k.sim.abort("use-after-free-notifier", "waits: invalidate_secondary_tlbs reads its driver structure after free_notifier freed it");
        },
        free_notifier() {
          drv.freed = true;
        },
      },
      "waits.notifier",
    );
    w.setup(() => k.mn.mmu_notifier_register(sub, mm));
    w.addThread("reader", "kernel", new ProgramBuilder("reader").step("__mmu_notifier_invalidate_secondary_tlbs", () => k.mn.__mmu_notifier_invalidate_secondary_tlbs(mm, 0, 4096)).build());
    w.addThread("hw", "kernel", new ProgramBuilder("hw").step("the hardware finishes", () => void (drv.done = true)).build());
    w.addThread("unbind", "kernel", new ProgramBuilder("unbind").step("mmu_notifier_put", () => k.mn.mmu_notifier_put(sub)).build());
    return w;
  }

  it("the kernel's put waits for it; a put that frees at once is caught", () => {
    expect(found(waitingCallback(on()))).toBeNull();
    expect(found(waitingCallback(on(putAtOnce)))?.rule).toBe("use-after-free-notifier");
    // The first model's immediate grace period frees under the waiting callback too.
    expect(found(waitingCallback(off()))?.rule).toBe("use-after-free-notifier");
  });
});

describe("synchronize_srcu waits for the readers that were there before it", () => {
  it("the kernel's unregister: the driver frees its structure only after every reader left", () => {
    expect(found(fixture({ spanning: true, kernel: on(), teardown: "unregister" }).w)).toBeNull();
  });

  it("an unregister without synchronize_srcu is caught; in the first model's scenario it passes", () => {
    expect(found(fixture({ spanning: true, kernel: on(unregisterNoGp), teardown: "unregister" }).w)?.rule).toBe("use-after-free-notifier");
    expect(found(fixture({ spanning: false, kernel: on(unregisterNoGp), teardown: "unregister" }).w)).toBeNull();
  });

  it("sleeps: unregistering under a spinlock is sleep-in-atomic", () => {
    const w = new World(on());
    const k = w.k;
    const mm = k.mm_alloc("proc");
    const sub = new mmu_notifier(k.sim, { name: "test", release() {} }, "test.notifier");
    w.setup(() => k.mn.mmu_notifier_register(sub, mm));
    const lock = new SpinLock(k.locks, "drv.lock");
    w.addThread(
      "unbind",
      "kernel",
      new ProgramBuilder("unbind").step("spin_lock; mmu_notifier_unregister; spin_unlock", () => {
        lock.spin_lock();
        k.mn.mmu_notifier_unregister(sub, mm);
        lock.spin_unlock();
      }).build(),
    );
    expect(runStraight(w).violation?.rule).toBe("sleep-in-atomic");
  });

  it("synchronize_srcu inside the caller's own read section is a deadlock", () => {
    const w = new World(on());
    const k = w.k;
    w.addThread(
      "t",
      "kernel",
      new ProgramBuilder("t").step("srcu_read_lock; synchronize_srcu", () => {
        srcu_read_lock(k.sim);
        k.mn.srcu.synchronize_srcu();
      }).build(),
    );
    expect(runStraight(w).violation?.rule).toBe("deadlock");
  });
});

describe("srcu_read_unlock needs the index srcu_read_lock returned", () => {
  /** The kata 02 walk with the index thrown away: srcu_read_unlock(sim, 0). */
  const wrongIndex: KernelOptions["core"] = pluggableCore({
    __mmu_notifier_invalidate_secondary_tlbs(core, mm, start, end) {
      srcu_read_lock(core.sim);
      for (const sub of core.subscriptions(mm)) sub.ops.invalidate_secondary_tlbs?.(sub, mm, start, end);
      srcu_read_unlock(core.sim, 0);
    },
  });
  /** munmap racing a device, after one grace period at set-up (srcu_idx is 1 from then on). */
  const munmapAfterGp = (kernel: KernelOptions, gp: boolean): World => {
    const w = findScenario("munmap")!.build(driver("correct-generic"), kernel);
    if (gp) w.setup(() => w.k.mn.srcu.synchronize_srcu());
    return w;
  };

  it("the index is 0, then 1 after a grace period", () => {
    const w = new World(on());
    const got: number[] = [];
    w.setup(() => {
      const a = srcu_read_lock(w.k.sim);
      srcu_read_unlock(w.k.sim, a);
      w.k.mn.srcu.synchronize_srcu();
      const b = srcu_read_lock(w.k.sim);
      srcu_read_unlock(w.k.sim, b);
      got.push(a, b);
    });
    expect(got).toEqual([0, 1]);
  });

  it("a core that gives back 0 is caught as srcu-wrong-index", () => {
    const v = found(munmapAfterGp(on(wrongIndex), true));
    expect(v?.rule).toBe("srcu-wrong-index");
    expect(v?.message).toContain("index 1");
  });

  it("it passes with srcuGracePeriods off, and before any grace period (where 0 happens to be right)", () => {
    expect(found(munmapAfterGp(off(wrongIndex), true))).toBeNull();
    expect(found(munmapAfterGp(on(wrongIndex), false))).toBeNull();
    expect(found(munmapAfterGp(on(), true))).toBeNull();
  });
});
