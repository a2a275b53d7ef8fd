/**
 * The simulation's whole mutable state lives in one Store of 32-bit integer slots.
 *
 * Why: the explorer steps forward, then undoes back to a mark, thousands of times a
 * second. Journalled writes make undo cheap, and a Zobrist-style hash over the slots
 * written since it was last asked for gives a state fingerprint without serialising
 * anything.
 *
 * A slot whose value is 0 contributes nothing to the hash, so slots may be allocated
 * lazily (keyed maps below) without changing the state they describe.
 */

import { ReplayDivergence } from "./abort";

/** 32-bit finaliser (murmur3 fmix32): spreads (slot, value) over the hash. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/** Slots a store starts with (it doubles as needed): enough for a standard scenario. */
const INITIAL_SLOTS = 4096;

/**
 * Read and write sets of one step, used for partial-order reduction. Fills are slots a
 * step accessed as a cache fill (Store.beginFill): they conflict with reads and writes
 * of the slot, not with other fills.
 */
export interface Footprint {
  readonly reads: readonly number[];
  readonly writes: readonly number[];
  readonly fills: readonly number[];
}

/**
 * A footprint recorded into reusable typed arrays: the explorer keeps one per (depth,
 * agent) instead of allocating two arrays per step. Valid until recorded into again.
 */
export class FootprintBuffer {
  reads: Int32Array;
  writes: Int32Array;
  fills: Int32Array;
  nReads = 0;
  nWrites = 0;
  nFills = 0;
  constructor(capacity = 64) {
    this.reads = new Int32Array(capacity);
    this.writes = new Int32Array(capacity);
    this.fills = new Int32Array(8);
  }
  /** Double the read list (kept out of Store.get, which is inlined everywhere). */
  growReads(): void {
    const r = new Int32Array(this.reads.length * 2);
    r.set(this.reads);
    this.reads = r;
  }
  growWrites(): void {
    const w = new Int32Array(this.writes.length * 2);
    w.set(this.writes);
    this.writes = w;
  }
  growFills(): void {
    const f = new Int32Array(this.fills.length * 2);
    f.set(this.fills);
    this.fills = f;
  }
  /** A plain copy (for Store.endFootprint). */
  toFootprint(): Footprint {
    return {
      reads: Array.from(this.reads.subarray(0, this.nReads)),
      writes: Array.from(this.writes.subarray(0, this.nWrites)),
      fills: Array.from(this.fills.subarray(0, this.nFills)),
    };
  }
}

export class Store {
  private vals: Int32Array = new Int32Array(INITIAL_SLOTS);
  /** Per-slot Zobrist keys, two independent ones (fixed by the slot number). */
  private key1: Int32Array = new Int32Array(INITIAL_SLOTS);
  private key2: Int32Array = new Int32Array(INITIAL_SLOTS);
  /**
   * Each slot's contribution to h1 and h2 as of the last rehash. Writes and undo only
   * list the slots they change (dirty); the hash catches up when it is asked for, so a
   * slot written several times, or written and undone, is hashed once.
   */
  private cur1: Int32Array = new Int32Array(INITIAL_SLOTS);
  private cur2: Int32Array = new Int32Array(INITIAL_SLOTS);
  private isDirty: Uint8Array = new Uint8Array(INITIAL_SLOTS);
  private dirty: Int32Array = new Int32Array(INITIAL_SLOTS);
  private nDirty = 0;
  private count = 0;
  /** Undo journal: pairs of (slot, old value). */
  private journal: Int32Array = new Int32Array(4096);
  private jlen = 0;
  private h1 = 0;
  private h2 = 0;
  /** Slots whose name is known, for debugging and state dumps. */
  private readonly names: string[] = [];
  /** Blocks from allocBlock, in slot order: first slot, length, name prefix, first key. */
  private readonly blockFirst: number[] = [];
  private readonly blockLen: number[] = [];
  private readonly blockPrefix: string[] = [];
  private readonly blockKeyBase: number[] = [];

  /**
   * Record slots (markRecord): 1 where a slot only records what happened, for tests
   * and traces. No step reads one, so two states that differ only there have the
   * same future: unless keepDeadValues is set, they are left out of the fingerprint and
   * such states are one state to the explorer. Dead values (retire) are the same idea
   * for a slot that is read until some point and never after.
   */
  private isRecord: Uint8Array = new Uint8Array(INITIAL_SLOTS);
  private readonly records: number[] = [];
  private deadKept = false;
  private tracking = false;
  private epoch = 1;
  private readStamp: Int32Array = new Int32Array(INITIAL_SLOTS);
  private writeStamp: Int32Array = new Int32Array(INITIAL_SLOTS);
  private fillStamp: Int32Array = new Int32Array(INITIAL_SLOTS);
  /** Nesting depth of beginFill(). */
  private filling = 0;
  private fp: FootprintBuffer = new FootprintBuffer();
  private readonly ownFp = new FootprintBuffer();

  /**
   * Step log (see sim/suspend.ts): while a thread's step runs, every read and write is
   * logged (a read as slot, a write as ~slot, with the value), so that a step that waits
   * can later be resumed by running it again with the logged prefix replayed: reads
   * give back the logged values, writes are skipped, nothing is journalled twice.
   * 0 off, 1 logging, 2 replaying.
   */
  private logMode = 0;
  private logSlots: Int32Array = new Int32Array(256);
  private logVals: Int32Array = new Int32Array(256);
  private logLen = 0;
  /** The log being replayed (read-only), how far the replay is, and its birth clock. */
  private srcSlots: Int32Array = new Int32Array(0);
  private srcVals: Int32Array = new Int32Array(0);
  private srcPos = 0;
  private replayClock = 0;
  /**
   * When each slot first held a non-zero value (a count of such births; 0: never).
   * Never undone. A replayed step may read slots its first run did not: keys a TLB
   * gained since (its key lists only grow). A slot born after the first run held 0
   * then, which is what the replay is given.
   */
  private bornAt: Int32Array = new Int32Array(INITIAL_SLOTS);
  private births = 0;

  constructor() {
    // Every growable field is written twice here, so that V8 never treats it as a
    // constant: growing one mid-run would otherwise deoptimise every inlined get/set.
    this.vals = new Int32Array(INITIAL_SLOTS);
    this.key1 = new Int32Array(INITIAL_SLOTS);
    this.key2 = new Int32Array(INITIAL_SLOTS);
    this.cur1 = new Int32Array(INITIAL_SLOTS);
    this.cur2 = new Int32Array(INITIAL_SLOTS);
    this.isDirty = new Uint8Array(INITIAL_SLOTS);
    this.dirty = new Int32Array(INITIAL_SLOTS);
    this.readStamp = new Int32Array(INITIAL_SLOTS);
    this.writeStamp = new Int32Array(INITIAL_SLOTS);
    this.isRecord = new Uint8Array(INITIAL_SLOTS);
    this.bornAt = new Int32Array(INITIAL_SLOTS);
    this.journal = new Int32Array(4096);
    this.fp = this.ownFp;
    this.makeKeys(0, INITIAL_SLOTS);
  }

  /** Zobrist keys of slots [from, to): made for the whole capacity, so alloc costs nothing. */
  private makeKeys(from: number, to: number): void {
    for (let slot = from; slot < to; slot++) {
      this.key1[slot] = fmix(Math.imul(slot + 1, 0x9e3779b1) ^ 0x2545f491);
      this.key2[slot] = fmix(Math.imul(slot ^ 0x5bd1e995, 0x27d4eb2f) + 0x165667b1);
    }
  }

  /** The slot allocated under `name` with alloc(), or -1 (a linear search: for set-up and course code). */
  slotNamed(name: string): number {
    return this.names.indexOf(name);
  }

  /** Allocate one slot holding `initial`. Allocation itself is never undone. */
  alloc(name: string, initial = 0): number {
    const slot = this.count++;
    if (slot >= this.vals.length) this.grow();
    // (Slots past `count` were never written: they hold 0 already.)
    this.names[slot] = name;
    if (initial !== 0) this.set(slot, initial);
    return slot;
  }

  /**
   * Allocate `n` consecutive zero slots named `${prefix}[${base + i}]` (the names are
   * made only when asked for). Returns the first slot.
   */
  allocBlock(n: number, prefix: string, base: number): number {
    const first = this.count;
    while (this.count + n > this.vals.length) this.grow();
    this.count += n;
    this.blockFirst.push(first);
    this.blockLen.push(n);
    this.blockPrefix.push(prefix);
    this.blockKeyBase.push(base);
    return first;
  }

  /** The key of the first slot of the block starting at `first` (for SlotMap). */
  blockBase(first: number): number {
    return this.blockKeyBase[this.blockAt(first)]!;
  }

  /** Index of the block holding `slot`, or -1. */
  private blockAt(slot: number): number {
    const f = this.blockFirst;
    let lo = 0;
    let hi = f.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (f[mid]! > slot) hi = mid - 1;
      else if (f[mid]! + this.blockLen[mid]! <= slot) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  private grow(): void {
    const old = this.vals.length;
    const n = old * 2;
    const widen = (a: Int32Array): Int32Array => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.vals = widen(this.vals);
    this.key1 = widen(this.key1);
    this.key2 = widen(this.key2);
    this.cur1 = widen(this.cur1);
    this.cur2 = widen(this.cur2);
    this.dirty = widen(this.dirty);
    const d = new Uint8Array(n);
    d.set(this.isDirty);
    this.isDirty = d;
    const r = new Uint8Array(n);
    r.set(this.isRecord);
    this.isRecord = r;
    this.readStamp = widen(this.readStamp);
    this.writeStamp = widen(this.writeStamp);
    this.fillStamp = widen(this.fillStamp);
    this.bornAt = widen(this.bornAt);
    this.makeKeys(old, n);
  }

  get size(): number {
    return this.count;
  }

  get(slot: number): number {
    if (this.logMode !== 0) return this.getLogged(slot);
    if (this.tracking && this.readStamp[slot] !== this.epoch) this.noteRead(slot);
    return this.vals[slot]!;
  }

  private getLogged(slot: number): number {
    if (this.logMode === 2) {
      const i = this.srcPos;
      let v = 0;
      if (i < this.srcSlots.length && this.srcSlots[i] === slot) {
        v = this.srcVals[i]!;
        this.srcPos = i + 1;
      } else {
        const b = this.bornAt[slot]!;
        if (b !== 0 && b <= this.replayClock) throw new ReplayDivergence("a thread", `a read of ${this.nameOf(slot)} it did not make before`);
      }
      this.logOp(slot, v);
      return v;
    }
    if (this.tracking && this.readStamp[slot] !== this.epoch) this.noteRead(slot);
    const v = this.vals[slot]!;
    this.logOp(slot, v);
    return v;
  }

  private logOp(code: number, v: number): void {
    const n = this.logLen;
    if (n === this.logSlots.length) {
      const a = new Int32Array(n * 2);
      a.set(this.logSlots);
      this.logSlots = a;
      const b = new Int32Array(n * 2);
      b.set(this.logVals);
      this.logVals = b;
    }
    this.logSlots[n] = code;
    this.logVals[n] = v;
    this.logLen = n + 1;
  }

  /** A write under the step log: replayed (true: skip it) or logged (false: do it). */
  private setLogged(slot: number, value: number): boolean {
    if (this.logMode === 2) {
      const i = this.srcPos;
      if (i >= this.srcSlots.length || this.srcSlots[i] !== ~slot || this.srcVals[i] !== value) throw new ReplayDivergence("a thread", `a write of ${this.nameOf(slot)} it did not make before`);
      this.srcPos = i + 1;
      this.logOp(~slot, value);
      return true;
    }
    this.logOp(~slot, value);
    return false;
  }

  /** Start logging a step's reads and writes (an empty log). */
  startLog(): void {
    this.logMode = 1;
    this.logLen = 0;
  }

  /** Stop logging or replaying; the log stays readable until the next startLog. */
  stopLog(): void {
    this.logMode = 0;
  }

  get logging(): boolean {
    return this.logMode === 1;
  }
  get replaying(): boolean {
    return this.logMode === 2;
  }
  get logLength(): number {
    return this.logLen;
  }

  /** Forget log entries from `n` on (a wait's own condition reads, which must run live). */
  truncateLog(n: number): void {
    this.logLen = n;
  }

  /** A copy of the log: [codes, values]. */
  copyLog(): [Int32Array, Int32Array] {
    return [this.logSlots.slice(0, this.logLen), this.logVals.slice(0, this.logLen)];
  }

  /**
   * Replay `codes`/`values` (from copyLog, made when the birth clock read `clock`);
   * when they are used up, call resumeLive. The log is written again as it replays.
   */
  startReplay(codes: Int32Array, values: Int32Array, clock: number): void {
    this.srcSlots = codes;
    this.srcVals = values;
    this.srcPos = 0;
    this.replayClock = clock;
    this.logLen = 0;
    this.logMode = 2;
  }

  /** The birth clock now (see bornAt). */
  get clock(): number {
    return this.births;
  }

  /** Whether every replayed entry has been used. */
  get replayDone(): boolean {
    return this.srcPos === this.srcSlots.length;
  }

  /** The replay is over: go on live, logging (the replayed prefix stays in the log). */
  resumeLive(): void {
    this.logMode = 1;
  }

  private noteRead(slot: number): void {
    // Footprints are recorded for the explorer, which relies on records never being read.
    if (this.isRecord[slot] === 1) throw new Error(`store: a step read ${this.nameOf(slot)}, a record slot (markRecord): records must be write-only`);
    if (this.filling !== 0) {
      this.noteFill(slot);
      return;
    }
    this.readStamp[slot] = this.epoch;
    const fp = this.fp;
    if (fp.nReads === fp.reads.length) fp.growReads();
    fp.reads[fp.nReads++] = slot;
  }

  private noteWrite(slot: number): void {
    if (this.filling !== 0) {
      this.noteFill(slot);
      return;
    }
    this.writeStamp[slot] = this.epoch;
    const fp = this.fp;
    if (fp.nWrites === fp.writes.length) fp.growWrites();
    fp.writes[fp.nWrites++] = slot;
  }

  private noteFill(slot: number): void {
    if (this.fillStamp[slot] === this.epoch) return;
    this.fillStamp[slot] = this.epoch;
    const fp = this.fp;
    if (fp.nFills === fp.fills.length) fp.growFills();
    fp.fills[fp.nFills++] = slot;
  }

  /**
   * From here to endFill(), reads and writes are recorded as fills: accesses to a
   * cache whose every filler writes the same value (one that other slots the filler
   * reads determine), and whose filler behaves the same whether it finds that value or
   * nothing. Two such steps commute, so fills conflict only with plain reads and
   * writes. The caller vouches for that: a lookup that finds something else must read
   * the slot again outside the bracket.
   */
  beginFill(): void {
    this.filling++;
  }
  endFill(): void {
    this.filling--;
  }

  set(slot: number, value: number): void {
    value |= 0;
    if (this.logMode !== 0 && this.setLogged(slot, value)) return;
    if (value !== 0 && this.bornAt[slot] === 0) this.bornAt[slot] = ++this.births;
    const old = this.vals[slot]!;
    if (this.tracking && this.writeStamp[slot] !== this.epoch) this.noteWrite(slot);
    if (old === value) return;
    const j = this.jlen;
    if (j + 2 > this.journal.length) this.growJournal();
    this.journal[j] = slot;
    this.journal[j + 1] = old;
    this.jlen = j + 2;
    this.vals[slot] = value;
    if (this.isDirty[slot] === 0) {
      this.isDirty[slot] = 1;
      this.dirty[this.nDirty++] = slot;
    }
  }

  /** Add `delta` to each of `n` consecutive slots (a read and a write of each). */
  addRange(first: number, n: number, delta: number): void {
    for (let s = first; s < first + n; s++) this.set(s, this.get(s) + delta);
  }

  /** Set `n` consecutive slots to value, value + step, value + 2 * step, ... */
  setRange(first: number, n: number, value: number, step: number): void {
    for (let i = 0; i < n; i++) this.set(first + i, value + i * step);
  }

  private growJournal(): void {
    const g = new Int32Array(this.journal.length * 2);
    g.set(this.journal);
    this.journal = g;
  }

  /**
   * Mark `slot` as a record: written by steps, read only from outside a run (tests,
   * traces). Records are left out of the fingerprint (see keepDeadValues).
   */
  markRecord(slot: number): void {
    if (this.isRecord[slot] === 1) return;
    this.isRecord[slot] = 1;
    this.records.push(slot);
    this.markDirty(slot);
  }

  /**
   * A step's promise that nothing reads `slot` from now on (a finished device's
   * newest-write horizon): with the reduction on (keepDeadValues false) it is reset to 0,
   * journalled like any write, so states that differ only in it are one state.
   */
  retire(slot: number): void {
    if (!this.deadKept) this.set(slot, 0);
  }

  /** Whether record slots count in the fingerprint and retire() keeps values (false by default: the reductions are on). */
  get keepDeadValues(): boolean {
    return this.deadKept;
  }
  set keepDeadValues(on: boolean) {
    if (on === this.deadKept) return;
    this.deadKept = on;
    // Their contribution changes: rehash them.
    for (const slot of this.records) this.markDirty(slot);
  }

  private markDirty(slot: number): void {
    if (this.isDirty[slot] === 0) {
      this.isDirty[slot] = 1;
      this.dirty[this.nDirty++] = slot;
    }
  }

  /** A mark to undo back to. */
  mark(): number {
    return this.jlen;
  }

  undo(mark: number): void {
    const j = this.journal;
    const vals = this.vals;
    const isDirty = this.isDirty;
    let n = this.jlen;
    while (n > mark) {
      n -= 2;
      const slot = j[n]!;
      vals[slot] = j[n + 1]!;
      if (isDirty[slot] === 0) {
        isDirty[slot] = 1;
        this.dirty[this.nDirty++] = slot;
      }
    }
    this.jlen = n;
  }

  /** Bring h1 and h2 up to date with the dirty slots. */
  private rehash(): void {
    const dirty = this.dirty;
    const vals = this.vals;
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < this.nDirty; i++) {
      const slot = dirty[i]!;
      this.isDirty[slot] = 0;
      const value = this.isRecord[slot] === 1 && !this.deadKept ? 0 : vals[slot]!;
      // Zobrist contributions of (slot, value), fmix32 written out; 0 contributes nothing.
      let n1 = 0;
      let n2 = 0;
      if (value !== 0) {
        n1 = this.key1[slot]! ^ Math.imul(value, 0xcc9e2d51);
        n1 ^= n1 >>> 16;
        n1 = Math.imul(n1, 0x85ebca6b);
        n1 ^= n1 >>> 13;
        n1 = Math.imul(n1, 0xc2b2ae35);
        n1 ^= n1 >>> 16;
        n2 = (this.key2[slot]! + Math.imul(value, 0x1b873593)) | 0;
        n2 ^= n2 >>> 16;
        n2 = Math.imul(n2, 0x85ebca6b);
        n2 ^= n2 >>> 13;
        n2 = Math.imul(n2, 0xc2b2ae35);
        n2 ^= n2 >>> 16;
      }
      h1 ^= this.cur1[slot]! ^ n1;
      h2 ^= this.cur2[slot]! ^ n2;
      this.cur1[slot] = n1;
      this.cur2[slot] = n2;
    }
    this.nDirty = 0;
    this.h1 = h1;
    this.h2 = h2;
  }

  /**
   * A 53-bit fingerprint of the current state. Collisions are possible in principle
   * (as in SPIN's hash compaction); with 53 bits and a million states the chance of
   * one is about 1 in 10^4.
   */
  fingerprint(): number {
    if (this.nDirty !== 0) this.rehash();
    return (this.h1 >>> 0) * 0x200000 + (this.h2 >>> 11);
  }

  /** fingerprint() in two int32 parts, high (h1) and low 21 bits: no boxed double. */
  fingerprintHigh(): number {
    if (this.nDirty !== 0) this.rehash();
    return this.h1;
  }
  fingerprintLow(): number {
    if (this.nDirty !== 0) this.rehash();
    return this.h2 >>> 11;
  }

  /** Start recording which slots the next step reads and writes. */
  beginFootprint(): void {
    this.beginFootprintInto(this.ownFp);
  }

  endFootprint(): Footprint {
    this.tracking = false;
    return this.ownFp.toFootprint();
  }

  /** Like beginFootprint, recording into `buf` (reset here); stop with endFootprintInto. */
  beginFootprintInto(buf: FootprintBuffer): void {
    this.tracking = true;
    this.epoch++;
    buf.nReads = 0;
    buf.nWrites = 0;
    buf.nFills = 0;
    this.fp = buf;
  }

  endFootprintInto(): void {
    this.tracking = false;
  }

  nameOf(slot: number): string {
    const n = this.names[slot];
    if (n !== undefined) return n;
    const b = this.blockAt(slot);
    return b >= 0 ? `${this.blockPrefix[b]}[${this.blockKeyBase[b]! + slot - this.blockFirst[b]!}]` : `slot${slot}`;
  }

  /** Every non-zero slot, named: for debugging and for tests of determinism. */
  dump(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let s = 0; s < this.count; s++) if (this.vals[s] !== 0) out[this.nameOf(s)] = this.vals[s]!;
    return out;
  }
}

/** Keys per SlotMap block: neighbouring keys (a PTE table, a run of frames) share one. */
const BLOCK = 64;
const UNTOUCHED = new Uint8Array(0);

/**
 * A map from integer keys to slots, allocated on first touch (value 0 = absent).
 *
 * Slots come in blocks of BLOCK consecutive keys, so that a key next to the last one
 * used is found with a subtraction, and loops over a huge page's 512 entries stay
 * cheap. Blocks are found through an open-addressing table over typed arrays (keys
 * reach 2^50 for TLBs, which a Map would box).
 */
export class SlotMap {
  private blockKeys = new Float64Array(0);
  /** Block index + 1; 0 marks an empty bucket. */
  private blockIdx = new Int32Array(0);
  private mask = 0;
  private readonly firstSlots: number[] = [];
  /** Per block, which keys were touched (for keys()). */
  private readonly touched: Uint8Array[] = [];
  /** Touched keys in first-touch order. */
  private readonly order: number[] = [];
  /** The block used last. */
  private lastBase = Number.NaN;
  private lastFirst = 0;
  private lastTouched = UNTOUCHED;

  constructor(
    private readonly store: Store,
    private readonly name: string,
  ) {
    // Written twice so that V8 never treats them as constants (see Store).
    this.blockKeys = new Float64Array(8);
    this.blockIdx = new Int32Array(8);
    this.mask = 7;
  }

  private static hash(base: number): number {
    const hi = (base / 4294967296) | 0;
    const h = Math.imul((base | 0) ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1);
    return h ^ (h >>> 15);
  }

  slotFor(key: number): number {
    const off = key - this.lastBase;
    if (off >= 0 && off < BLOCK && (off | 0) === off) {
      if (this.lastTouched[off] === 0) this.touch(key, off);
      return this.lastFirst + off;
    }
    return this.slowSlotFor(key);
  }

  private touch(key: number, off: number): void {
    this.lastTouched[off] = 1;
    this.order.push(key);
  }

  private slowSlotFor(key: number): number {
    if (!Number.isSafeInteger(key)) throw new RangeError(`SlotMap ${this.name}: key ${key} is not an integer`);
    const base = Math.floor(key / BLOCK) * BLOCK;
    const mask = this.mask;
    let i = SlotMap.hash(base) & mask;
    let b = -1;
    for (;;) {
      const x = this.blockIdx[i]!;
      if (x === 0) break;
      if (this.blockKeys[i] === base) {
        b = x - 1;
        break;
      }
      i = (i + 1) & mask;
    }
    if (b < 0) b = this.addBlock(base);
    this.lastBase = base;
    this.lastFirst = this.firstSlots[b]!;
    this.lastTouched = this.touched[b]!;
    const off = key - base;
    if (this.lastTouched[off] === 0) this.touch(key, off);
    return this.lastFirst + off;
  }

  private addBlock(base: number): number {
    const b = this.firstSlots.length;
    this.firstSlots.push(this.store.allocBlock(BLOCK, this.name, base));
    this.touched.push(new Uint8Array(BLOCK));
    if ((b + 1) * 2 > this.mask + 1) this.rebuild((this.mask + 1) * 2);
    else this.place(base, b);
    return b;
  }

  private place(base: number, b: number): void {
    const mask = this.mask;
    let i = SlotMap.hash(base) & mask;
    while (this.blockIdx[i] !== 0) i = (i + 1) & mask;
    this.blockKeys[i] = base;
    this.blockIdx[i] = b + 1;
  }

  private rebuild(cap: number): void {
    this.blockKeys = new Float64Array(cap);
    this.blockIdx = new Int32Array(cap);
    this.mask = cap - 1;
    for (let b = 0; b < this.firstSlots.length; b++) this.place(this.store.blockBase(this.firstSlots[b]!), b);
  }

  /**
   * Slots of up to `n` keys from `key` on, which are consecutive: returns the first
   * slot; runLength says how many keys the run covers (at least 1). Loops over a range
   * of keys (a huge page's PTEs or frames) go run by run instead of key by key.
   */
  run(key: number, n: number): number {
    const first = this.slotFor(key);
    const off = key - this.lastBase;
    const len = Math.min(n, BLOCK - off);
    const t = this.lastTouched;
    for (let i = 1; i < len; i++) if (t[off + i] === 0) this.touch(key + i, off + i);
    this.runLength = len;
    return first;
  }

  /** Keys covered by the last run(). */
  runLength = 0;

  get(key: number): number {
    // Reading an untouched key allocates its slot: it must still count as a read for POR.
    return this.store.get(this.slotFor(key));
  }

  set(key: number, value: number): void {
    this.store.set(this.slotFor(key), value);
  }

  /** Keys ever touched, whether or not their value is currently non-zero. */
  keys(): IterableIterator<number> {
    return this.order.values();
  }

  /** Keys whose value is currently non-zero, with their values. */
  *entries(): IterableIterator<[number, number]> {
    for (const k of this.order) {
      const v = this.store.get(this.slotFor(k));
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
