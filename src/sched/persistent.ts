/**
 * Persistent sets (partial-order reduction that cuts states, not only transitions),
 * from each agent's future footprint.
 *
 * An agent's future here is what it would do if it ran alone from the current state:
 * its steps, each with the store slots it reads and writes (its enabled() check
 * included), until it is done, blocked, or reports a violation; a run that ends blocked
 * or done ends with the enabled() check that said so (its final guard). A step is a
 * deterministic function of the slots it reads, so this "solo run" is exactly the
 * agent's future along any path on which no other agent writes a slot it reads.
 *
 * A set P of enabled agents is persistent at a state (Godefroid, "Partial-Order
 * Methods for the Verification of Concurrent Systems", LNCS 1032, chapter 4) when every
 * path made only of steps of agents outside P (the outsiders, disabled agents
 * included) is independent of P's next steps. That holds when
 * - no outsider's future writes a slot another outsider's future reads, final guard
 *   included: then, by induction along any path of outsiders only, every step is the
 *   next one of its agent's solo run, with the same footprint, and a blocked outsider
 *   stays blocked. Only the reader's future can change, so either the reader joins P
 *   (if it is enabled) or every outsider that writes what it reads does (they have
 *   steps, so they are enabled; they are also what could wake a blocked reader); and
 * - each member's next step is independent of every outsider's future steps (a final
 *   guard is not a step: a member's step may wake an outsider, but not on a path of
 *   outsiders only).
 * Exploring only P's agents then keeps every terminal state (deadlocks) and every
 * violation a step reports: the oracle's checks run inside the step, so the slots they
 * read are in the step's footprint. An outsider whose solo future ends in a violation
 * is a counterexample by itself (`violationSteps`): the breadth-first search counts it,
 * which keeps its counterexamples shortest.
 *
 * The first version asked more: that outsiders' futures be pairwise independent,
 * writes against writes included, with both agents of a conflicting pair joining P.
 * (On the scaled munmap both choose sets of about the same size: there it is
 * munmap's own steps, each touching every device of a batch, that make sets large.)
 *
 * Fills (Store.beginFill: an IOMMU walk-cache entry every device's walk would fill
 * with the same table pointer) conflict with reads and writes of the slot, not with
 * other fills: devices whose pages share a PTE table no longer depend on each other
 * through it.
 *
 * An agent that would run more than SOLO_LIMIT steps alone has an unknown future, which
 * conflicts with every agent.
 */
import { FootprintBuffer, type Store } from "../sim/store";
import type { Model } from "./model";

/** Steps of a solo run before the agent's future counts as unknown. */
export const SOLO_LIMIT = 512;

/**
 * The footprints of one agent's solo run: entry k is step k's slots (its enabled()
 * check included); the last entry is the enabled() check where the run stopped (none
 * after a violation). Also each slot once, with the last entry that touches it, so that
 * the future from entry `from` on is scanned without repeats. All in one array (one
 * allocation per solo run), at the offsets below.
 */
export class Future {
  /** Steps (not counting the final guard entry). */
  steps = 0;
  entries = 0;
  /** Steps up to and including the first violation (0: none). */
  violationSteps = 0;
  /** More than SOLO_LIMIT steps: conflicts with everything. */
  unknown = false;
  data = EMPTY;
  /** Entry k's reads: data[reads + readEnd(k - 1) .. reads + readEnd(k)), readEnd(-1) = 0. */
  reads = 0;
  writes = 0;
  fills = 0;
  /** Where the entries' cumulative read / write / fill counts are. */
  readEnds = 0;
  writeEnds = 0;
  fillEnds = 0;
  /** Distinct slots the steps read (the final guard not included), then the last entry reading each (nuReads of each). */
  uReads = 0;
  nuReads = 0;
  uWrites = 0;
  nuWrites = 0;
  uFills = 0;
  nuFills = 0;

  readStart(k: number): number {
    return this.reads + (k === 0 ? 0 : this.data[this.readEnds + k - 1]!);
  }
  readEnd(k: number): number {
    return this.reads + this.data[this.readEnds + k]!;
  }
  writeStart(k: number): number {
    return this.writes + (k === 0 ? 0 : this.data[this.writeEnds + k - 1]!);
  }
  writeEnd(k: number): number {
    return this.writes + this.data[this.writeEnds + k]!;
  }
  fillStart(k: number): number {
    return this.fills + (k === 0 ? 0 : this.data[this.fillEnds + k - 1]!);
  }
  fillEnd(k: number): number {
    return this.fills + this.data[this.fillEnds + k]!;
  }
  /** Whether the run ended on a final guard (blocked or done; not after a violation or when unknown). */
  get hasGuard(): boolean {
    return this.entries > this.steps && !this.unknown;
  }
}

const EMPTY = new Int32Array(0);

/** A growable int32 list, reused from one solo run to the next. */
class IntList {
  data = new Int32Array(256);
  n = 0;
  push(v: number): void {
    if (this.n === this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.n++] = v;
  }
  pushAll(src: Int32Array, count: number): void {
    while (this.n + count > this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data.set(src.subarray(0, count), this.n);
    this.n += count;
  }
  /** Copy into `to` at `at`; returns the index after. */
  copyTo(to: Int32Array, at: number): number {
    to.set(this.data.subarray(0, this.n), at);
    return at + this.n;
  }
}

/** Bits set in a 32-bit mask. */
export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * Computes futures (solo runs) and persistent sets. Futures are passed in with an
 * offset: an agent that just stepped keeps its parent state's future, one entry on.
 */
export class Persistent {
  private readonly scratch = new FootprintBuffer(64);
  /** Per slot: agents whose future reads / writes it (valid where stamp === epoch). */
  private readers = new Int32Array(1024);
  private writers = new Int32Array(1024);
  private stamp = new Int32Array(1024);
  /** Per slot: agents whose future fills it; the epoch where a step filled it (unaffectedBy). */
  private fillers = new Int32Array(1024);
  private filled = new Int32Array(1024);
  private epoch = 0;
  /**
   * Per agent: agents whose future steps conflict with its next step; agents whose
   * future writes a slot its own future reads (final guard included).
   */
  readonly nextConflicts: Int32Array;
  readonly deviators: Int32Array;
  /** Solo runs made (for statistics). */
  soloRuns = 0;

  constructor(
    private readonly model: Model,
    private readonly store: Store,
  ) {
    const n = model.agentCount;
    this.nextConflicts = new Int32Array(n);
    this.deviators = new Int32Array(n);
    // Written twice so that V8 never treats them as constants (see Store).
    this.readers = new Int32Array(1024);
    this.writers = new Int32Array(1024);
    this.stamp = new Int32Array(1024);
    this.fillers = new Int32Array(1024);
    this.filled = new Int32Array(1024);
  }

  /**
   * Every agent's future from the current state into futs / offs; returns the mask of
   * enabled agents. Given the parent state's futures and the agent `a` whose step led
   * here, a future is kept where that step wrote none of the slots it reads (agent a
   * keeps its own, one entry on); the others are run again. Without them, all are run.
   */
  futures(futs: Future[], offs: Int32Array, parent?: readonly Future[], parentOffs?: Int32Array, a = -1): number {
    const n = futs.length;
    let en = 0;
    for (let q = 0; q < n; q++) {
      let fu: Future;
      let off: number;
      if (parent !== undefined && q === a && !parent[a]!.unknown) {
        fu = parent[a]!;
        off = parentOffs![a]! + 1;
      } else if (parent !== undefined && q !== a && this.unaffectedBy(parent[q]!, parentOffs![q]!, parent[a]!, parentOffs![a]!)) {
        fu = parent[q]!;
        off = parentOffs![q]!;
      } else {
        fu = this.solo(q);
        off = 0;
      }
      futs[q] = fu;
      offs[q] = off;
      if (off < fu.steps) en |= 1 << q;
    }
    return en;
  }

  /** Agent a's solo run from the current state (which is restored). */
  solo(a: number): Future {
    const { model, store, scratch } = this;
    this.soloRuns++;
    const f = new Future();
    const m = store.mark();
    const { sReads, sWrites, sFills, sReadEnd, sWriteEnd, sFillEnd } = this;
    sReads.n = sWrites.n = sFills.n = sReadEnd.n = sWriteEnd.n = sFillEnd.n = 0;
    try {
      for (;;) {
        store.beginFootprintInto(scratch);
        const en = model.enabled(a);
        if (!en || f.steps >= SOLO_LIMIT) {
          store.endFootprintInto();
          this.addEntry(scratch);
          if (en) f.unknown = true;
          break;
        }
        const res = model.step(a);
        store.endFootprintInto();
        this.addEntry(scratch);
        f.steps++;
        if (res.violations.length > 0) {
          f.violationSteps = f.steps;
          break;
        }
      }
    } finally {
      store.endFootprintInto();
      store.undo(m);
    }
    f.entries = sReadEnd.n;
    // Distinct slots: uSlots/uLast hold reads then writes.
    const us = this.uSlots;
    const ul = this.uLast;
    us.n = ul.n = 0;
    // Reads of the steps only: the final guard's are kept apart (see hasGuard).
    this.distinct(sReads, sReadEnd, f.steps === 0 ? 0 : sReadEnd.data[f.steps - 1]!);
    const nuR = us.n;
    this.distinct(sWrites, sWriteEnd, sWrites.n);
    const nuW = us.n - nuR;
    this.distinct(sFills, sFillEnd, sFills.n);
    const nuF = us.n - nuR - nuW;
    const d = new Int32Array(sReads.n + sWrites.n + sFills.n + 3 * f.entries + 2 * us.n);
    let at = 0;
    f.reads = at;
    at = sReads.copyTo(d, at);
    f.writes = at;
    at = sWrites.copyTo(d, at);
    f.fills = at;
    at = sFills.copyTo(d, at);
    f.readEnds = at;
    at = sReadEnd.copyTo(d, at);
    f.writeEnds = at;
    at = sWriteEnd.copyTo(d, at);
    f.fillEnds = at;
    at = sFillEnd.copyTo(d, at);
    f.uReads = at;
    f.nuReads = nuR;
    d.set(us.data.subarray(0, nuR), at);
    d.set(ul.data.subarray(0, nuR), at + nuR);
    at += 2 * nuR;
    f.uWrites = at;
    f.nuWrites = nuW;
    d.set(us.data.subarray(nuR, nuR + nuW), at);
    d.set(ul.data.subarray(nuR, nuR + nuW), at + nuW);
    at += 2 * nuW;
    f.uFills = at;
    f.nuFills = nuF;
    d.set(us.data.subarray(nuR + nuW, nuR + nuW + nuF), at);
    d.set(ul.data.subarray(nuR + nuW, nuR + nuW + nuF), at + nuF);
    f.data = d;
    return f;
  }

  private readonly sReads = new IntList();
  private readonly sWrites = new IntList();
  private readonly sReadEnd = new IntList();
  private readonly sWriteEnd = new IntList();
  private readonly sFills = new IntList();
  private readonly sFillEnd = new IntList();
  private readonly uSlots = new IntList();
  private readonly uLast = new IntList();

  private addEntry(fp: FootprintBuffer): void {
    this.sReads.pushAll(fp.reads, fp.nReads);
    this.sWrites.pushAll(fp.writes, fp.nWrites);
    this.sFills.pushAll(fp.fills, fp.nFills);
    this.sReadEnd.push(this.sReads.n);
    this.sWriteEnd.push(this.sWrites.n);
    this.sFillEnd.push(this.sFills.n);
  }

  /** Append the distinct slots of `slots` (its first `count`) to uSlots, with the last entry of each to uLast. */
  private distinct(slots: IntList, ends: IntList, count: number): void {
    const e = ++this.epoch;
    const us = this.uSlots;
    const ul = this.uLast;
    const sl = slots.data;
    const en = ends.data;
    let k = 0;
    for (let i = 0; i < count; i++) {
      while (i >= en[k]!) k++;
      const x = sl[i]!;
      if (x >= this.stamp.length) this.grow(x);
      if (this.stamp[x] !== e) {
        this.stamp[x] = e;
        this.readers[x] = ul.n;
        us.push(x);
        ul.push(k);
      } else {
        ul.data[this.readers[x]!] = k;
      }
    }
  }

  /**
   * Whether future f (from entry `from`) stays as it is after the step that is entry
   * `k` of future g: that step wrote (or filled) no slot f reads from there on, and
   * wrote no slot f fills.
   */
  unaffectedBy(f: Future, from: number, g: Future, k: number): boolean {
    if (g !== this.lastMarked || k !== this.lastMarkedEntry || this.lastMarkedEpoch !== this.epoch) {
      // One stamp of the step's writes serves every agent's check.
      const e = ++this.epoch;
      const gd = g.data;
      for (let i = g.writeStart(k), end = g.writeEnd(k); i < end; i++) {
        const x = gd[i]!;
        if (x >= this.stamp.length) this.grow(x);
        this.stamp[x] = e;
      }
      for (let i = g.fillStart(k), end = g.fillEnd(k); i < end; i++) {
        const x = gd[i]!;
        if (x >= this.stamp.length) this.grow(x);
        this.filled[x] = e;
      }
      this.lastMarked = g;
      this.lastMarkedEntry = k;
      this.lastMarkedEpoch = e;
    }
    const e = this.epoch;
    const st = this.stamp;
    const fl = this.filled;
    const n = st.length;
    const d = f.data;
    const u = f.uReads;
    const nu = f.nuReads;
    for (let i = 0; i < nu; i++) {
      const x = d[u + i]!;
      if (x < n && (st[x] === e || fl[x] === e) && d[u + nu + i]! >= from) return false;
    }
    if (f.hasGuard) {
      for (let i = f.readStart(f.steps), end = f.readEnd(f.steps); i < end; i++) {
        const x = d[i]!;
        if (x < n && (st[x] === e || fl[x] === e)) return false;
      }
    }
    for (let i = f.uFills, end = i + f.nuFills, nf = f.nuFills; i < end; i++) {
      const x = d[i]!;
      if (x < n && st[x] === e && d[i + nf]! >= from) return false;
    }
    return true;
  }

  private lastMarked: Future | undefined = undefined;
  private lastMarkedEntry = -1;
  private lastMarkedEpoch = -1;

  /**
   * Fill nextConflicts and deviators from the agents' futures (futs[a] from entry
   * offs[a]); `enabled` is the mask of agents with a next step.
   */
  conflicts(futs: readonly Future[], offs: Int32Array, enabled: number): void {
    const n = futs.length;
    const e = ++this.epoch;
    let unknown = 0;
    for (let a = 0; a < n; a++) {
      const f = futs[a]!;
      const bit = 1 << a;
      if (f.unknown) unknown |= bit;
      const from = offs[a]!;
      this.stampMasks(f, f.uReads, f.nuReads, from, bit, e, 0);
      this.stampMasks(f, f.uWrites, f.nuWrites, from, bit, e, 1);
      this.stampMasks(f, f.uFills, f.nuFills, from, bit, e, 2);
    }
    const all = n === 32 ? -1 : (1 << n) - 1;
    const readers = this.readers;
    const writers = this.writers;
    const fillers = this.fillers;
    const stamp = this.stamp;
    for (let a = 0; a < n; a++) {
      const f = futs[a]!;
      const bit = 1 << a;
      const from = offs[a]!;
      if (f.unknown) {
        this.deviators[a] = all & ~bit;
        this.nextConflicts[a] = all & ~bit;
        continue;
      }
      const d = f.data;
      // Agents whose future writes (or fills) what this future reads, final guard
      // included, or writes what it fills.
      let dv = unknown;
      for (let i = f.uReads, end = i + f.nuReads, nu = f.nuReads; i < end; i++) if (d[i + nu]! >= from) dv |= writers[d[i]!]! | fillers[d[i]!]!;
      for (let i = f.uFills, end = i + f.nuFills, nu = f.nuFills; i < end; i++) if (d[i + nu]! >= from) dv |= writers[d[i]!]!;
      if (f.hasGuard) {
        for (let i = f.readStart(f.steps), end = f.readEnd(f.steps); i < end; i++) {
          const x = d[i]!;
          if (x < stamp.length && stamp[x] === e) dv |= writers[x]! | fillers[x]!;
        }
      }
      this.deviators[a] = dv & ~bit;
      if ((enabled & bit) === 0) {
        this.nextConflicts[a] = 0;
        continue;
      }
      // The next step (entry `from`) against the others' future steps.
      let nc = unknown;
      for (let i = f.readStart(from), end = f.readEnd(from); i < end; i++) nc |= writers[d[i]!]! | fillers[d[i]!]!;
      for (let i = f.writeStart(from), end = f.writeEnd(from); i < end; i++) {
        const x = d[i]!;
        nc |= readers[x]! | writers[x]! | fillers[x]!;
      }
      for (let i = f.fillStart(from), end = f.fillEnd(from); i < end; i++) {
        const x = d[i]!;
        nc |= readers[x]! | writers[x]!;
      }
      this.nextConflicts[a] = nc & ~bit;
    }
  }

  /** Set `bit` in the readers' (kind 0), writers' (1) or fillers' (2) mask of f's distinct slots still ahead (last entry >= from). */
  private stampMasks(f: Future, at: number, count: number, from: number, bit: number, e: number, kind: 0 | 1 | 2): void {
    const d = f.data;
    for (let i = at; i < at + count; i++) {
      if (d[i + count]! < from) continue;
      const x = d[i]!;
      if (x >= this.stamp.length) this.grow(x);
      if (this.stamp[x] !== e) {
        this.stamp[x] = e;
        this.readers[x] = 0;
        this.writers[x] = 0;
        this.fillers[x] = 0;
      }
      if (kind === 0) this.readers[x] |= bit;
      else if (kind === 1) this.writers[x] |= bit;
      else this.fillers[x] |= bit;
    }
  }

  /**
   * The smallest persistent set found (as a mask of enabled agents), trying each enabled
   * agent as the seed. Call conflicts() first.
   */
  choose(enabled: number, n: number): number {
    if ((enabled & (enabled - 1)) === 0) return enabled;
    let best = enabled;
    let bestCount = popcount(enabled);
    for (let rest = enabled; rest !== 0; ) {
      const low = rest & -rest;
      rest ^= low;
      const p = this.closure(low, n, enabled);
      const c = popcount(p);
      if (c < bestCount) {
        best = p;
        bestCount = c;
        if (c === 1) break;
      }
    }
    return best;
  }

  /** The least set of enabled agents holding `seed` that meets the two conditions above. */
  private closure(seed: number, n: number, enabled: number): number {
    const nc = this.nextConflicts;
    const dv = this.deviators;
    let p = seed;
    for (;;) {
      let add = 0;
      for (let a = 0; a < n; a++) {
        const bit = 1 << a;
        // A member's next step against the outsiders' future steps.
        if ((p & bit) !== 0) add |= nc[a]!;
        else {
          // An outsider whose future another outsider could change: the outsiders that
          // could change it join (they have future steps, so they are enabled), or it
          // does, if it is enabled and they are more than one.
          const w = dv[a]! & ~p;
          if (w !== 0) add |= (enabled & bit) !== 0 && (w & (w - 1)) !== 0 ? bit : w;
        }
      }
      add &= enabled;
      if ((add & ~p) === 0) return p;
      p |= add;
    }
  }

  private grow(slot: number): void {
    let n = this.stamp.length;
    while (n <= slot) n *= 2;
    const widen = (a: Int32Array): Int32Array => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.stamp = widen(this.stamp);
    this.fillers = widen(this.fillers);
    this.filled = widen(this.filled);
    this.readers = widen(this.readers);
    this.writers = widen(this.writers);
  }
}
