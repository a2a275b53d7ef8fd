import { describe, expect, it } from "vitest";
import { FootprintBuffer, SlotMap, Store } from "./store";
import { mulberry32 } from "../sched/random";

describe("Store", () => {
  it("gives equal states equal fingerprints, whatever the history, and undo restores both", () => {
    const rand = mulberry32(3);
    const a = new Store();
    const b = new Store();
    const slots = Array.from({ length: 300 }, (_, i) => a.alloc(`s${i}`));
    for (let i = 0; i < 300; i++) b.alloc(`s${i}`);
    const empty = a.fingerprint();
    expect(b.fingerprint()).toBe(empty);
    const m = a.mark();
    const want = new Map<number, number>();
    for (let n = 0; n < 2000; n++) {
      const s = slots[Math.floor(rand() * slots.length)]!;
      const v = Math.floor(rand() * 5) - 1;
      a.set(s, v);
      want.set(s, v);
      if (n % 97 === 0) a.fingerprint(); // hash part of the way, as the explorer does
    }
    // b reaches the same values in another order, through detours it undoes.
    for (const [s, v] of [...want].reverse()) {
      const mb = b.mark();
      b.set(s, v + 7);
      b.fingerprint();
      b.undo(mb);
      b.set(s, v);
    }
    expect(b.fingerprint()).toBe(a.fingerprint());
    expect((a.fingerprintHigh() >>> 0) * 2 ** 21 + a.fingerprintLow()).toBe(a.fingerprint());
    expect(a.fingerprint()).not.toBe(empty);
    a.undo(m);
    expect(a.fingerprint()).toBe(empty);
    for (const s of slots) expect(a.get(s)).toBe(0);
  });

  it("records footprints into a caller's buffer, each slot once", () => {
    const st = new Store();
    const x = st.alloc("x");
    const y = st.alloc("y");
    const z = st.alloc("z");
    const buf = new FootprintBuffer(1);
    st.beginFootprintInto(buf);
    st.get(x);
    st.get(x);
    st.set(y, 1);
    st.set(y, 1); // a write of the same value still counts
    st.addRange(z, 1, 2);
    st.endFootprintInto();
    expect([...buf.reads.subarray(0, buf.nReads)]).toEqual([x, z]);
    expect([...buf.writes.subarray(0, buf.nWrites)]).toEqual([y, z]);
    st.get(z); // not recorded any more
    expect(buf.nReads).toBe(2);
    st.beginFootprint();
    st.set(x, 3);
    expect(st.endFootprint()).toEqual({ reads: [], writes: [x], fills: [] });
  });

  it("records a cache fill's reads and writes as fills, once each; a plain read of the slot still counts as a read", () => {
    const st = new Store();
    const c = st.alloc("c");
    const x = st.alloc("x");
    st.beginFootprint();
    st.beginFill();
    if (st.get(c) === 0) st.set(c, 7);
    st.get(x);
    st.endFill();
    st.get(c);
    expect(st.endFootprint()).toEqual({ reads: [c], writes: [], fills: [c, x] });
    expect(st.get(c)).toBe(7);
  });
});

describe("SlotMap", () => {
  it("maps keys near and far (TLB keys reach 2^50) to distinct slots, named and counted as touched", () => {
    const st = new Store();
    const m = new SlotMap(st, "m");
    const keys = [0, 1, 63, 64, 2 ** 30 + 5, 2 ** 50 + 3, 2 ** 50 + 4, 7, 1000];
    keys.forEach((k, i) => m.set(k, i + 1));
    expect(new Set(keys.map((k) => m.slotFor(k))).size).toBe(keys.length);
    keys.forEach((k, i) => expect(m.get(k)).toBe(i + 1));
    expect([...m.keys()]).toEqual(keys);
    m.set(63, 0);
    expect([...m.entries()].map(([k]) => k)).toEqual(keys.filter((k) => k !== 63));
    expect(st.nameOf(m.slotFor(2 ** 50 + 4))).toBe(`m[${2 ** 50 + 4}]`);
    expect(st.dump()).toMatchObject({ "m[1]": 2, [`m[${2 ** 30 + 5}]`]: 5 });
    expect(() => m.get(1.5)).toThrow(RangeError);
  });

  it("hands out runs of consecutive slots, touching every key of the run", () => {
    const st = new Store();
    const m = new SlotMap(st, "pte");
    const first = 0x40000 + 10;
    let covered = 0;
    for (let k = first; k < first + 512; ) {
      const s = m.run(k, first + 512 - k);
      const len = m.runLength;
      expect(len).toBeGreaterThan(0);
      for (let i = 0; i < len; i++) expect(m.slotFor(k + i)).toBe(s + i);
      k += len;
      covered += len;
    }
    expect(covered).toBe(512);
    expect([...m.keys()]).toEqual(Array.from({ length: 512 }, (_, i) => first + i));
  });
});
