import { describe, expect, it } from "vitest";
import { Sim } from "../sim/sim";
import { LockRegistry, SpinLock } from "./lock";

describe("held locks, a list per owner in the order taken", () => {
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
    const st = sim.store;
    st.beginFootprint();
    as(b, () => z.spin_lock());
    const byB = st.endFootprint();
    as(a, () => x.spin_lock());
    st.beginFootprint();
    as(a, () => w.spin_lock());
    const fp = st.endFootprint();
    const read = fp.reads.map((s) => st.nameOf(s));
    expect(read).toContain("w.owner");
    expect(read.some((n) => n.startsWith("z.") || n.startsWith("x."))).toBe(false);
    // Nothing b wrote taking its lock (z's owner, b's list) is read.
    expect(fp.reads.filter((s) => byB.writes.includes(s))).toEqual([]);
  });
});
