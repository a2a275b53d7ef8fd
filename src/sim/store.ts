/**
 * The simulation's whole mutable state lives in one Store of 32-bit integer slots.
 *
 * Why: the explorer steps forward, then undoes back to a mark, thousands of times a
 * second. Journalled writes make undo cheap, and a Zobrist-style hash kept up to date
 * on every write gives a state fingerprint without serialising anything.
 *
 * A slot whose value is 0 contributes nothing to the hash, so slots may be allocated
 * lazily (keyed maps below) without changing the state they describe.
 */

/** 32-bit finaliser (murmur3 fmix32): spreads (slot, value) over the hash. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

function zobrist1(slot: number, value: number): number {
  return value === 0 ? 0 : fmix(Math.imul(slot, 0x9e3779b1) ^ fmix(value ^ 0x2545f491));
}

function zobrist2(slot: number, value: number): number {
  return value === 0 ? 0 : fmix(Math.imul(slot ^ 0x5bd1e995, 0x27d4eb2f) + fmix(value + 0x165667b1));
}

/** Read and write sets of one step, used for partial-order reduction. */
export interface Footprint {
  readonly reads: readonly number[];
  readonly writes: readonly number[];
}

export class Store {
  private vals: Int32Array = new Int32Array(1024);
  private count = 0;
  /** Undo journal: pairs of (slot, old value). */
  private journal: number[] = [];
  private h1 = 0;
  private h2 = 0;
  /** Slots whose name is known, for debugging and state dumps. */
  private readonly names: string[] = [];

  private tracking = false;
  private epoch = 1;
  private readStamp: Int32Array = new Int32Array(1024);
  private writeStamp: Int32Array = new Int32Array(1024);
  private reads: number[] = [];
  private writes: number[] = [];

  /** Allocate one slot holding `initial`. Allocation itself is never undone. */
  alloc(name: string, initial = 0): number {
    const slot = this.count++;
    if (slot >= this.vals.length) this.grow();
    this.names[slot] = name;
    this.vals[slot] = 0;
    if (initial !== 0) this.set(slot, initial);
    return slot;
  }

  private grow(): void {
    const n = this.vals.length * 2;
    const v = new Int32Array(n);
    v.set(this.vals);
    this.vals = v;
    const r = new Int32Array(n);
    r.set(this.readStamp);
    this.readStamp = r;
    const w = new Int32Array(n);
    w.set(this.writeStamp);
    this.writeStamp = w;
  }

  get size(): number {
    return this.count;
  }

  get(slot: number): number {
    if (this.tracking && this.readStamp[slot] !== this.epoch) {
      this.readStamp[slot] = this.epoch;
      this.reads.push(slot);
    }
    return this.vals[slot]!;
  }

  set(slot: number, value: number): void {
    const old = this.vals[slot]!;
    value |= 0;
    if (this.tracking && this.writeStamp[slot] !== this.epoch) {
      this.writeStamp[slot] = this.epoch;
      this.writes.push(slot);
    }
    if (old === value) return;
    this.journal.push(slot, old);
    this.vals[slot] = value;
    this.h1 ^= zobrist1(slot, old) ^ zobrist1(slot, value);
    this.h2 ^= zobrist2(slot, old) ^ zobrist2(slot, value);
  }

  /** A mark to undo back to. */
  mark(): number {
    return this.journal.length;
  }

  undo(mark: number): void {
    const j = this.journal;
    while (j.length > mark) {
      const old = j.pop()!;
      const slot = j.pop()!;
      const cur = this.vals[slot]!;
      this.vals[slot] = old;
      this.h1 ^= zobrist1(slot, cur) ^ zobrist1(slot, old);
      this.h2 ^= zobrist2(slot, cur) ^ zobrist2(slot, old);
    }
  }

  /**
   * A 53-bit fingerprint of the current state. Collisions are possible in principle
   * (as in SPIN's hash compaction); with 53 bits and a million states the chance of
   * one is about 1 in 10^4.
   */
  fingerprint(): number {
    return (this.h1 >>> 0) * 0x200000 + (this.h2 >>> 11);
  }

  /** Start recording which slots the next step reads and writes. */
  beginFootprint(): void {
    this.tracking = true;
    this.epoch++;
    this.reads = [];
    this.writes = [];
  }

  endFootprint(): Footprint {
    this.tracking = false;
    return { reads: this.reads, writes: this.writes };
  }

  nameOf(slot: number): string {
    return this.names[slot] ?? `slot${slot}`;
  }

  /** Every non-zero slot, named: for debugging and for tests of determinism. */
  dump(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let s = 0; s < this.count; s++) if (this.vals[s] !== 0) out[this.nameOf(s)] = this.vals[s]!;
    return out;
  }
}

/** A map from integer keys to slots, allocated on first touch (value 0 = absent). */
export class SlotMap {
  private readonly slots = new Map<number, number>();
  constructor(
    private readonly store: Store,
    private readonly name: string,
  ) {}

  slotFor(key: number): number {
    let s = this.slots.get(key);
    if (s === undefined) {
      s = this.store.alloc(`${this.name}[${key}]`);
      this.slots.set(key, s);
    }
    return s;
  }

  get(key: number): number {
    const s = this.slots.get(key);
    if (s === undefined) {
      // Reading an untouched key must still be tracked as a read for POR.
      return this.store.get(this.slotFor(key));
    }
    return this.store.get(s);
  }

  set(key: number, value: number): void {
    this.store.set(this.slotFor(key), value);
  }

  /** Keys ever touched, whether or not their value is currently non-zero. */
  keys(): IterableIterator<number> {
    return this.slots.keys();
  }

  /** Keys whose value is currently non-zero, with their values. */
  *entries(): IterableIterator<[number, number]> {
    for (const [k, s] of this.slots) {
      const v = this.store.get(s);
      if (v !== 0) yield [k, v];
    }
  }
}

/** One named integer cell in a store. */
export class Cell {
  readonly slot: number;
  constructor(
    private readonly store: Store,
    name: string,
    initial = 0,
  ) {
    this.slot = store.alloc(name, initial);
  }
  get value(): number {
    return this.store.get(this.slot);
  }
  set value(v: number) {
    this.store.set(this.slot, v);
  }
}

type StructInit = { [key: string]: unknown };

/**
 * A kernel-style struct whose number and boolean fields live in the store, so that
 * driver state (a pasid_state's `invalid` flag, a refcount) is undone with everything
 * else. Object fields (pointers to other structs) are fixed at creation.
 */
export function kstruct<T extends object>(store: Store, name: string, init: T & StructInit): T {
  const obj = {} as Record<string, unknown>;
  for (const [key, v] of Object.entries(init)) {
    if (typeof v === "number" || typeof v === "boolean") {
      const slot = store.alloc(`${name}.${key}`, typeof v === "boolean" ? (v ? 1 : 0) : v);
      const isBool = typeof v === "boolean";
      Object.defineProperty(obj, key, {
        enumerable: true,
        get: () => (isBool ? store.get(slot) !== 0 : store.get(slot)),
        set: (nv: number | boolean) => store.set(slot, typeof nv === "boolean" ? (nv ? 1 : 0) : nv),
      });
    } else {
      Object.defineProperty(obj, key, { enumerable: true, value: v, writable: true });
    }
  }
  return obj as T;
}
