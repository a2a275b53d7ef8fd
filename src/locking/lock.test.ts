import { describe, expect, it } from "vitest";
import { Sim } from "../sim/sim";
import { LockRegistry, SpinLock } from "./lock";

describe("held locks (lockdep's current->held_locks)", () => {
  function setup() {
    const sim = new Sim();
    const a = sim.addAgentSlots("a");
    const b = sim.addAgentSlots("b");
    const reg = new LockRegistry(sim);
    const [x, y, z, w] = ["x", "y", "z", "w"].map((n) => new SpinLock(reg, n)) as [SpinLock, SpinLock, SpinLock, SpinLock];
    const as = <T>(agent: number, fn: () => T): T => {
      sim.current = agent;
      try {
        return fn();
      } finally {
        sim.current = -1;
      }
    };
    return { sim, a, b, reg, x, y, z, w, as };
  }

  it("lists each owner's locks in the order taken, and drops a released one from the middle", () => {
    const { a, b, reg, x, y, z, w, as } = setup();
    as(a, () => {
      y.spin_lock();
      x.spin_lock();
      w.spin_lock();
    });
    as(b, () => z.spin_lock());
    expect(reg.heldBy(a + 1).map((l) => l.name)).toEqual(["y", "x", "w"]);
    expect(reg.heldBy(b + 1).map((l) => l.name)).toEqual(["z"]);
    as(a, () => x.spin_unlock());
    expect(reg.heldBy(a + 1).map((l) => l.name)).toEqual(["y", "w"]);
    as(a, () => {
      y.spin_unlock();
      w.spin_unlock();
    });
    expect(reg.heldBy(a + 1)).toEqual([]);
  });

  it("taking a lock reads the lock and the taker's own list, not what other agents hold", () => {
    const { sim, a, b, x, z, w, as } = setup();
    as(b, () => z.spin_lock());
    as(a, () => x.spin_lock());
    const st = sim.store;
    st.beginFootprint();
    as(a, () => w.spin_lock());
    const fp = st.endFootprint();
    const read = fp.reads.map((s) => st.nameOf(s));
    expect(read).toContain("w.owner");
    expect(read.some((n) => n.startsWith("z.") || n.startsWith("x."))).toBe(false);
    // b's list: keys (b + 1) * 49 onwards.
    const bKeys = new Set(Array.from({ length: 49 }, (_, i) => `held_locks[${(b + 1) * 49 + i}]`));
    expect(read.filter((n) => bKeys.has(n))).toEqual([]);
  });
});
