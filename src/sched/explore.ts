/**
 * Exhaustive search over schedules: depth-first, stepping forward and undoing back
 * through the Store's journal, with states cached by Store.fingerprint().
 *
 * Reductions:
 * - Persistent sets (partial-order reduction that cuts states; persistent.ts): from a
 *   new state only the agents of a persistent set are stepped, computed from every
 *   agent's future (its solo run); a state whose reduced steps reach a state on the
 *   stack is expanded fully (the cycle proviso), and a violation an agent reaches alone
 *   is a counterexample at once. Futures are kept from the parent state where its step
 *   wrote nothing they read. Given up, with the sleep sets, after PROBE_STATES new
 *   states if they pruned too little (the solo runs would cost more than they save).
 * - Sleep sets (partial-order reduction). Two steps are independent when neither
 *   writes a slot the other reads or writes, and neither fills (Store.beginFill) a
 *   slot the other reads or writes; steps of one agent are always dependent.
 *   A step's footprint also covers the agent's enabled() check, so a step that
 *   unblocks or blocks another agent counts as dependent on it. Alone, sleep sets
 *   prune transitions, never states; with persistent sets they prune states too.
 * - Dead values (state reduction). Slots a model marks as records (Store.markRecord:
 *   what a device read, kept for tests) are written by steps and never read by one,
 *   and slots a step retires (Store.retire: a finished device's horizon) are never
 *   read again; states that differ only there have the same futures and the same
 *   verdicts, so records are left out of the fingerprint and retired slots reset to 0,
 *   and such states count as one state.
 * - Preemption bounding (optional). Sleep sets are unsound under a preemption bound
 *   (an equivalent interleaving may need more preemptions; see Coons et al.,
 *   "Bounded partial-order reduction", OOPSLA 2013), so a bound turns POR off.
 *
 * A shortest counterexample: first a depth-first search for any violation (when there
 * is none, as for a correct driver, that is the whole answer, at the cost of a plain
 * search); if there is one, a breadth-first search (bfs.ts, with persistent sets but
 * no sleep sets), which stops once no shorter violation can come. Under a preemption bound, depth-first with a tightening limit.
 */
import { FootprintBuffer, type Store } from "../sim/store";
import type { Model, StepResult } from "./model";
import { replayCounterexample } from "./run";
import { StateTable } from "./table";
import { bfsShortest } from "./bfs";
import { Persistent, popcount, type Future } from "./persistent";
import { PROGRESS_TRANSITIONS, type Counterexample, type ExploreProgress } from "./types";

export interface ExploreOptions {
  /** Give up (complete: false) rather than visit more distinct states than this. */
  readonly maxStates?: number;
  /**
   * Return a shortest counterexample: a depth-first search for any violation, then
   * (if there is one) breadth-first without sleep sets; under a preemption bound,
   * depth-first with a tightening depth limit.
   */
  readonly shortest?: boolean;
  /** Explore only schedules with at most this many preemptions. Turns sleep sets off. */
  readonly preemptionBound?: number;
  /** Sleep-set partial-order reduction (default true). */
  readonly sleepSets?: boolean;
  /** The same as sleepSets (its older name); sleepSets wins when both are given. */
  readonly por?: boolean;
  /**
   * Persistent sets (default true): from each state, step only a set of agents whose
   * next steps no path of the other agents can touch (persistent.ts). Cuts states, at
   * the cost of running agents alone to learn their futures: with true, a depth-first
   * search that has pruned less than PROBE_PRUNED of the enabled transitions of its
   * first PROBE_STATES new states gives them up for the rest of the search, and a model
   * with fewer than PERSISTENT_MIN_AGENTS agents does without them (measured: there
   * they cost more than they save); "always" keeps them. Off under a preemption bound.
   */
  readonly persistentSets?: boolean | "always";
  /** Count states that differ only in records or retired values as one (default true). */
  readonly deadValues?: boolean;
  /**
   * Called once per distinct state, when first reached (with `shortest`, by the first,
   * depth-first search only).
   */
  readonly onState?: (fingerprint: number, depth: number) => void;
  /**
   * Called every PROGRESS_TRANSITIONS transitions with the figures so far; returning
   * false stops the search there (complete: false, stoppedBy: "caller"). A search of
   * hours is the caller's to report on and to cut short.
   */
  readonly progress?: (p: ExploreProgress) => boolean | void;
}


export interface ExploreResult {
  /** False only when maxStates or the progress callback stopped the search before it finished. */
  readonly complete: boolean;
  /** What stopped an incomplete search. */
  readonly stoppedBy?: "max-states" | "caller";
  readonly violation?: Counterexample;
  /** Distinct states (fingerprints) visited. */
  readonly states: number;
  /** Steps executed. */
  readonly transitions: number;
  readonly ms: number;
  /** Deepest state reached, in steps from the start. */
  readonly maxDepth: number;
  /**
   * How the search went. A shortest counterexample is looked for depth-first first
   * (with the reductions, it stops at any violation); only if one exists does a
   * breadth-first search find a shortest one ("depth-first, then breadth-first").
   */
  readonly order: "depth-first" | "depth-first, then breadth-first";
  /** Transitions the sleep sets left out: enabled agents asleep where a new state was entered. */
  readonly sleepPruned: number;
  /** Bytes of the search's own tables (states, frames); the model's store is not counted. */
  readonly bytes: number;
  /**
   * Transitions the persistent sets left out: enabled agents outside the set chosen
   * where a new state was entered (0 when they are off).
   */
  readonly persistentPruned: number;
  /** Solo runs made to learn agents' futures (persistent sets). */
  readonly soloRuns: number;
  /** States the cycle proviso made the depth-first search expand fully (persistent sets). */
  readonly provisoExpansions: number;
  /** Whether the search used persistent sets (see ExploreOptions.persistentSets). */
  readonly persistentUsed: boolean;
  /** Whether the depth-first search gave persistent sets up after its first PROBE_STATES new states. */
  readonly persistentGaveUp: boolean;
}

/**
 * Agents a model needs for persistent sets to be used by default: every standard
 * scenario (4 or 5 agents) ran slower with them, munmap --pages 2 (6) and up faster.
 */
export const PERSISTENT_MIN_AGENTS = 6;

/** New states after which a depth-first search judges its persistent sets. */
export const PROBE_STATES = 4096;
/** The share of enabled transitions persistent sets must leave out by then to be kept. */
export const PROBE_PRUNED = 0.3;

/** Per-depth search state, allocated once per depth and reused. */
class Frame {
  /** Store mark of this state. */
  mark = 0;
  /** Agents still to step from this state (bit mask). */
  todo = 0;
  /** Agents asleep here: their next step is covered by an explored interleaving. */
  sleep = 0;
  enabled = 0;
  preempt = 0;
  /** Footprint of each sleeping or already-explored agent's step from this state. */
  readonly fps: FootprintBuffer[];
  /**
   * Buffers this depth records its own steps into (made on first use). Deeper frames
   * may point at them (sleepers inherited); they are only rewritten once this depth
   * is left.
   */
  readonly own: (FootprintBuffer | undefined)[];
  /**
   * Whether `enabled` and `guards` describe this state (they do when it was entered as
   * a new state); then guards[a] holds the slots agent a's enabled() read here.
   */
  guardsKnown = false;
  readonly guards: FootprintBuffer[];
  /** Buffers this depth records enabled() reads into (deeper frames may share them). */
  readonly guardOwn: (FootprintBuffer | undefined)[];
  /** Persistent sets: each agent's future (solo run) from this state, from entry offs[a]. */
  readonly futs: Future[];
  readonly offs: Int32Array;
  futsKnown = false;
  /** The persistent set chosen here (all enabled agents when not reduced). */
  pset = 0;
  /** This state's fingerprint (for the cycle proviso's look at the stack). */
  hi = 0;
  lo = 0;
  constructor(n: number) {
    this.futs = new Array<Future>(n);
    this.offs = new Int32Array(n);
    this.fps = new Array<FootprintBuffer>(n);
    this.own = new Array<FootprintBuffer | undefined>(n).fill(undefined);
    this.guards = new Array<FootprintBuffer>(n);
    this.guardOwn = new Array<FootprintBuffer | undefined>(n).fill(undefined);
  }
}

/** Frame stacks of finished searches, by agent count: the next search reuses them. */
const spareFrames = new Map<number, Frame[][]>();

/**
 * Independence of one step against several sleeping steps. Footprints of real kernel
 * steps reach thousands of slots (a huge page's 512 PTEs), so pairwise comparison
 * would be quadratic: instead the new step's slots are stamped once, and each
 * sleeper's footprint is checked against the stamps.
 */
class Stamps {
  private read = new Int32Array(1024);
  private write = new Int32Array(1024);
  private fill = new Int32Array(1024);
  private epoch = 0;

  constructor() {
    // Written twice so that V8 never treats them as constants: grow() would deoptimise.
    this.read = new Int32Array(1024);
    this.write = new Int32Array(1024);
    this.fill = new Int32Array(1024);
  }

  /** Stamp the slots of `q`, the step just taken. */
  mark(q: FootprintBuffer): void {
    const e = ++this.epoch;
    const r = q.reads;
    const w = q.writes;
    for (let i = 0, nr = q.nReads; i < nr; i++) {
      const x = r[i]!;
      if (x >= this.read.length) this.grow(x);
      this.read[x] = e;
    }
    for (let i = 0, nw = q.nWrites; i < nw; i++) {
      const x = w[i]!;
      if (x >= this.write.length) this.grow(x);
      this.write[x] = e;
    }
    const f = q.fills;
    for (let i = 0, nf = q.nFills; i < nf; i++) {
      const x = f[i]!;
      if (x >= this.fill.length) this.grow(x);
      this.fill[x] = e;
    }
  }

  /** Stamp only the slots `q` writes or fills (for readsWritten). */
  markWrites(q: FootprintBuffer): void {
    const e = ++this.epoch;
    const w = q.writes;
    for (let i = 0, nw = q.nWrites; i < nw; i++) {
      const x = w[i]!;
      if (x >= this.write.length) this.grow(x);
      this.write[x] = e;
    }
    const f = q.fills;
    for (let i = 0, nf = q.nFills; i < nf; i++) {
      const x = f[i]!;
      if (x >= this.write.length) this.grow(x);
      this.write[x] = e;
    }
  }

  /** Whether `p` reads a slot stamped by markWrites. */
  readsWritten(p: FootprintBuffer): boolean {
    const e = this.epoch;
    const write = this.write;
    const n = write.length;
    const r = p.reads;
    for (let i = 0, nr = p.nReads; i < nr; i++) {
      const x = r[i]!;
      if (x < n && write[x] === e) return true;
    }
    return false;
  }

  /**
   * Whether `p` commutes with the stamped step: neither writes what the other touches,
   * and a fill meets only fills.
   */
  independent(p: FootprintBuffer): boolean {
    const e = this.epoch;
    const read = this.read;
    const write = this.write;
    const fill = this.fill;
    const n = read.length;
    const w = p.writes;
    for (let i = 0, nw = p.nWrites; i < nw; i++) {
      const x = w[i]!;
      if (x < n && (write[x] === e || read[x] === e || fill[x] === e)) return false;
    }
    const r = p.reads;
    for (let i = 0, nr = p.nReads; i < nr; i++) {
      const x = r[i]!;
      if (x < n && (write[x] === e || fill[x] === e)) return false;
    }
    const f = p.fills;
    for (let i = 0, nf = p.nFills; i < nf; i++) {
      const x = f[i]!;
      if (x < n && (write[x] === e || read[x] === e)) return false;
    }
    return true;
  }

  private grow(slot: number): void {
    let n = this.read.length;
    while (n <= slot) n *= 2;
    const r = new Int32Array(n);
    r.set(this.read);
    this.read = r;
    const w = new Int32Array(n);
    w.set(this.write);
    this.write = w;
    const f = new Int32Array(n);
    f.set(this.fill);
    this.fill = f;
  }
}

/**
 * One search's state. A class rather than closures inside explore(): its methods are
 * the same functions from one search to the next, so the code V8 optimises for one
 * search is still valid for the next.
 */
class Search {
  readonly n: number;
  readonly store: Store;
  readonly bound: number;
  readonly bounded: boolean;
  /** Sleep sets (given up with persistent sets, see probe()). */
  por: boolean;
  /** Persistent sets, or undefined when they are off. */
  pers: Persistent | undefined;
  /** Whether persistent sets may be given up (see PROBE_STATES). */
  probing: boolean;
  persistentGaveUp = false;
  readonly persistentUsed: boolean;
  /** Solo runs made before persistent sets were given up. */
  soloRunsBefore = 0;
  /** Enabled transitions at new states, while probing. */
  enabledAtNew = 0;
  readonly shortest: boolean;
  readonly maxStates: number;
  readonly onState: ((fingerprint: number, depth: number) => void) | undefined;
  readonly progress: ((p: ExploreProgress) => boolean | void) | undefined;
  stoppedBy: "max-states" | "caller" | undefined = undefined;
  /**
   * Unbounded search: fingerprint -> sleep mask at the last visit.
   *
   * Sleep sets with state caching: a state first reached with sleep set S explored only
   * enabled \ S. Reached again with sleep set Z, it may be pruned only if S ⊆ Z;
   * otherwise the transitions in S \ Z were never taken from it, and the path that
   * was meant to cover them may itself have been cut by the cache. So explore exactly
   * those, with sleep set S ∩ Z, and store S ∩ Z (Godefroid, "Partial-Order Methods
   * for the Verification of Concurrent Systems", LNCS 1032, the sleep-set chapter).
   */
  readonly seen = new StateTable(1 << 10);
  /** Bounded search: fingerprint -> per last agent (+1) pairs [preemptions, depth], -1 = none. */
  readonly seenB = new Map<number, Int32Array>();
  readonly frames: Frame[];
  readonly stamps = new Stamps();
  readonly path: number[] = [];
  /** Footprint of the step that led to the state being entered, if it was recorded. */
  arrivedBy: FootprintBuffer | undefined = undefined;
  /** Longest counterexample still worth finding. */
  limit = Infinity;
  best: number[] | undefined = undefined;
  transitions = 0;
  sleepPruned = 0;
  persistentPruned = 0;
  /** States the cycle proviso expanded fully. */
  provisoExpansions = 0;
  maxDepth = 0;
  complete = true;
  stop = false;

  constructor(
    readonly model: Model,
    opts: ExploreOptions,
  ) {
    const n = model.agentCount;
    // Agent sets are 32-bit masks.
    if (n > 32) throw new Error(`explore: at most 32 agents are supported, the model has ${n}`);
    this.n = n;
    this.bound = opts.preemptionBound ?? -1;
    this.bounded = opts.preemptionBound !== undefined;
    if (this.bounded && (!Number.isInteger(this.bound) || this.bound < 0)) {
      throw new Error(`explore: preemptionBound must be a non-negative integer, got ${opts.preemptionBound}`);
    }
    this.por = (opts.sleepSets ?? opts.por ?? true) && !this.bounded;
    const ps = opts.persistentSets ?? true;
    this.pers = ps !== false && !this.bounded ? new Persistent(model, model.store) : undefined;
    this.probing = ps === true;
    this.persistentUsed = this.pers !== undefined;
    this.shortest = opts.shortest ?? false;
    this.maxStates = opts.maxStates ?? Infinity;
    this.onState = opts.onState;
    this.progress = opts.progress;
    this.store = model.store;
    this.frames = spareFrames.get(n)?.pop() ?? [new Frame(n)];
  }

  /** Bytes of the state tables and the frames' footprint buffers. */
  bytes(): number {
    let b = this.seen.bytes + this.seenB.size * (8 * (this.n + 1) + 48);
    for (const f of this.frames) {
      for (const x of f.own) if (x) b += x.reads.byteLength + x.writes.byteLength;
      for (const x of f.guardOwn) if (x) b += x.reads.byteLength + x.writes.byteLength;
    }
    return b;
  }

  /** Hand the frames on to the next search. */
  release(): void {
    let spare = spareFrames.get(this.n);
    if (!spare) spareFrames.set(this.n, (spare = []));
    if (spare.length < 2) spare.push(this.frames);
  }

  record(len: number): void {
    if (this.best === undefined || len < this.best.length) this.best = this.path.slice(0, len);
    if (this.shortest) this.limit = this.best.length - 1;
    else this.stop = true;
  }

  /** Tell the caller how far the search got; false if it says stop (the search is then incomplete). */
  report(transitions: number): boolean {
    const states = this.bounded ? this.seenB.size : this.seen.size;
    const go = this.progress!({ order: "depth-first", states, transitions, maxDepth: this.maxDepth, bytes: this.bytes() });
    if (go !== false) return true;
    this.complete = false;
    this.stoppedBy = "caller";
    this.stop = true;
    return false;
  }

  /** Arrive at the state at depth d: decide which agents to step from it. */
  enter(d: number): void {
    const { model, store, n } = this;
    const f = this.frames[d]!;
    f.mark = store.mark();
    f.todo = 0;
    f.guardsKnown = false;
    f.futsKnown = false;
    if (d > this.maxDepth) this.maxDepth = d;
    let fresh = false;
    // Which agents are enabled is only needed for a new state (or a bounded search): a
    // revisited state's stored sleep set is already a subset of its enabled agents.
    let en = 0;
    if (this.bounded) {
      for (let a = 0; a < n; a++) if (model.enabled(a)) en |= 1 << a;
      f.enabled = en;
      // Future preemption costs depend on who ran last, so that is part of the key.
      const li = d === 0 ? 0 : this.path[d - 1]! + 1;
      const key = store.fingerprint();
      let e = this.seenB.get(key);
      if (e === undefined) {
        if (this.seenB.size >= this.maxStates) {
          this.complete = false;
          this.stoppedBy = "max-states";
          this.stop = true;
          return;
        }
        e = new Int32Array(2 * (n + 1)).fill(-1);
        this.seenB.set(key, e);
        fresh = true;
      } else {
        const sp = e[2 * li]!;
        // Pruned only against one real earlier visit that had at least our budget.
        if (sp >= 0 && sp <= f.preempt && (!this.shortest || e[2 * li + 1]! <= d)) return;
      }
      e[2 * li] = f.preempt;
      e[2 * li + 1] = d;
      f.todo = en;
    } else {
      const seen = this.seen;
      const sleep = f.sleep;
      // The fingerprint in two int32 halves: a 53-bit number would be boxed.
      const hi = store.fingerprintHigh();
      const lo = store.fingerprintLow();
      f.hi = hi;
      f.lo = lo;
      let i = seen.probeParts(hi, lo);
      const pers = this.pers;
      if (!seen.found) {
        if (seen.size >= this.maxStates) {
          this.complete = false;
          this.stoppedBy = "max-states";
          this.stop = true;
          return;
        }
        en = pers !== undefined ? this.futuresHere(d) : this.enabledHere(d);
        i = seen.claimParts(i, hi, lo);
        seen.setA(i, sleep);
        fresh = true;
        let ps = en;
        if (pers !== undefined) {
          if (!this.shortest && this.soloViolation(d)) return;
          if (en !== 0) {
            pers.conflicts(f.futs, f.offs, en);
            ps = pers.choose(en, n);
          }
          this.persistentPruned += popcount(en & ~ps);
          if (this.probing) this.probe(en);
        }
        seen.setB(i, ps);
        f.pset = ps;
        f.todo = ps & ~sleep;
        if (sleep !== 0) this.sleepPruned += popcount(ps & sleep);
      } else {
        if (pers !== undefined && d > 0) this.proviso(d, hi, lo);
        const stored = seen.a(i);
        const ps = seen.b(i);
        // Explored here so far: the persistent set minus the stored sleep set.
        const missing = stored & ~sleep & ps;
        if (missing === 0) return;
        const both = stored & sleep;
        f.sleep = both;
        seen.setA(i, both);
        f.todo = missing;
        f.pset = ps;
        // Children reuse this state's futures.
        if (pers !== undefined) this.futuresHere(d);
        // Some agent is enabled (missing is not empty): no final check.
        return;
      }
    }
    if (fresh && this.onState !== undefined) this.onState(store.fingerprint(), d);
    if (en === 0 && model.finalCheck().length > 0) this.record(d);
  }

  /**
   * Persistent sets: every agent's future from the state just entered at depth d, and
   * the mask of enabled agents. A future is kept from the parent state where the step
   * that led here wrote none of the slots it reads (the agent that stepped keeps its
   * own, one entry on); the others are run again.
   */
  private futuresHere(d: number): number {
    const pers = this.pers!;
    const f = this.frames[d]!;
    const p = d > 0 ? this.frames[d - 1]! : undefined;
    const reuse = p !== undefined && p.futsKnown;
    const en = reuse ? pers.futures(f.futs, f.offs, p.futs, p.offs, this.path[d - 1]!) : pers.futures(f.futs, f.offs);
    f.enabled = en;
    f.futsKnown = true;
    return en;
  }

  /** Give persistent sets up if, over the first PROBE_STATES new states, they pruned too little. */
  private probe(en: number): void {
    this.enabledAtNew += popcount(en);
    if (this.seen.size < PROBE_STATES) return;
    this.probing = false;
    if (this.persistentPruned >= PROBE_PRUNED * this.enabledAtNew) return;
    // Full expansion is a persistent set too: from here on the plain search. Sleep sets
    // go too: on the scenarios measured where persistent sets prune little (the large
    // ones), recording footprints for sleep sets costs as much CPU as they save or more.
    this.soloRunsBefore = this.pers!.soloRuns;
    this.pers = undefined;
    this.por = false;
    this.persistentGaveUp = true;
  }

  /**
   * A violation some agent reaches by running alone from the state at depth d: it is a
   * counterexample (recorded; the search stops).
   */
  private soloViolation(d: number): boolean {
    const f = this.frames[d]!;
    for (let q = 0; q < this.n; q++) {
      const fu = f.futs[q]!;
      if (fu.violationSteps === 0) continue;
      const k = fu.violationSteps - f.offs[q]!;
      for (let j = 0; j < k; j++) this.path[d + j] = q;
      this.record(d + k);
      return true;
    }
    return false;
  }

  /**
   * The cycle proviso (Holzmann and Peled's, for depth-first search): a reduced state
   * with a step back to a state on the stack could close a cycle that ignores the
   * agents it left out forever, so it is expanded fully.
   */
  private proviso(d: number, hi: number, lo: number): void {
    const parent = this.frames[d - 1]!;
    if (parent.pset === parent.enabled) return;
    let on = false;
    for (let k = 0; k < d; k++) {
      const g = this.frames[k]!;
      if (g.hi === hi && g.lo === lo) {
        on = true;
        break;
      }
    }
    if (!on) return;
    this.provisoExpansions++;
    parent.todo |= parent.enabled & ~parent.pset & ~parent.sleep;
    parent.pset = parent.enabled;
    const i = this.seen.probeParts(parent.hi, parent.lo);
    if (this.seen.found) this.seen.setB(i, parent.enabled);
  }

  /**
   * The enabled agents at the state just entered at depth d (d > 0 came from depth
   * d - 1 by a step whose footprint is arrivedBy, if recorded). An agent's enabled()
   * reads only store slots, so where the step wrote none of the slots it read at the
   * parent state, its answer there still holds: only the others are asked again.
   */
  private enabledHere(d: number): number {
    const { model, store, n } = this;
    const f = this.frames[d]!;
    if (!this.por) {
      // Guard footprints only serve to reuse answers after a recorded step: none here.
      let en = 0;
      for (let a = 0; a < n; a++) if (model.enabled(a)) en |= 1 << a;
      f.enabled = en;
      return en;
    }
    const p = d > 0 ? this.frames[d - 1]! : undefined;
    const step = this.arrivedBy;
    const reuse = p !== undefined && p.guardsKnown && step !== undefined;
    if (reuse) this.stamps.markWrites(step);
    let en = 0;
    for (let a = 0; a < n; a++) {
      if (reuse && !this.stamps.readsWritten(p.guards[a]!)) {
        f.guards[a] = p.guards[a]!;
        en |= p.enabled & (1 << a);
        continue;
      }
      const g = (f.guardOwn[a] ??= new FootprintBuffer(16));
      store.beginFootprintInto(g);
      if (model.enabled(a)) en |= 1 << a;
      store.endFootprintInto();
      f.guards[a] = g;
    }
    f.enabled = en;
    f.guardsKnown = true;
    return en;
  }

  /** The depth-first search from the current state. */
  run(): void {
    const { model, store, frames, stamps, path, n, bounded, bound } = this;
    let steps = 0;
    frames[0]!.sleep = 0;
    frames[0]!.preempt = 0;
    this.arrivedBy = undefined;
    this.enter(0);
    let d = 0;
    while (!this.stop) {
      const f = frames[d]!;
      if (f.todo === 0 || d >= this.limit) {
        if (d === 0) break;
        d--;
        store.undo(frames[d]!.mark);
        continue;
      }
      const low = f.todo & -f.todo;
      f.todo ^= low;
      const a = 31 - Math.clz32(low);
      let p = f.preempt;
      if (bounded && d > 0) {
        const last = path[d - 1]!;
        if (last !== a && ((f.enabled >>> last) & 1) !== 0 && ++p > bound) continue;
      }
      path[d] = a;
      let res: StepResult;
      let fp: FootprintBuffer | undefined;
      // The footprint is only needed against sleepers or for later siblings.
      if (this.por && (f.sleep | f.todo) !== 0) {
        fp = f.own[a] ??= new FootprintBuffer(64);
        store.beginFootprintInto(fp);
        model.enabled(a);
        res = model.step(a);
        store.endFootprintInto();
      } else {
        res = model.step(a);
      }
      if ((++steps & (PROGRESS_TRANSITIONS - 1)) === 0 && this.progress !== undefined && !this.report(steps)) break;
      if (res.violations.length > 0) {
        this.record(d + 1);
        store.undo(f.mark);
        continue;
      }
      if (d + 1 === frames.length) frames.push(new Frame(n));
      const c = frames[d + 1]!;
      let cs = 0;
      if (fp !== undefined) {
        // A sleeping step stays asleep in the child only if independent of this one.
        let s = f.sleep;
        if (s !== 0) stamps.mark(fp);
        while (s !== 0) {
          const lb = s & -s;
          s ^= lb;
          const u = 31 - Math.clz32(lb);
          const fu = f.fps[u]!;
          if (stamps.independent(fu)) {
            cs |= lb;
            c.fps[u] = fu;
          }
        }
        f.fps[a] = fp;
        f.sleep |= low;
      }
      c.sleep = cs;
      c.preempt = p;
      d++;
      this.arrivedBy = fp;
      this.enter(d);
    }
    this.transitions = steps;
  }
}

/**
 * Search every schedule from the model's current state (the initial state), which is
 * restored before returning. Stops at the first violation unless `shortest` is set.
 * Tracing is off during the search and left on after it (the counterexample is
 * replayed traced).
 */
export function explore(model: Model, opts: ExploreOptions = {}): ExploreResult {
  const store = model.store;
  const hashed = store.keepDeadValues;
  store.keepDeadValues = !(opts.deadValues ?? true);
  const ps = opts.persistentSets ?? true;
  opts = { ...opts, persistentSets: ps === true && model.agentCount < PERSISTENT_MIN_AGENTS ? false : ps };
  try {
    if (!opts.shortest || opts.preemptionBound !== undefined) return exploreDepthFirst(model, opts);
    const any = exploreDepthFirst(model, { ...opts, shortest: false });
    if (any.violation === undefined) return any;
    const best = exploreBreadthFirst(model, { ...opts, onState: undefined }, any.transitions, any.violation.schedule.length);
    // Should the breadth-first search stop at maxStates, the first counterexample stands.
    return {
      ...best,
      violation: best.violation ?? any.violation,
      transitions: any.transitions + best.transitions,
      soloRuns: any.soloRuns + best.soloRuns,
      provisoExpansions: any.provisoExpansions,
      persistentGaveUp: any.persistentGaveUp,
      persistentUsed: any.persistentUsed || best.persistentUsed,
      ms: any.ms + best.ms,
      bytes: Math.max(any.bytes, best.bytes),
    };
  } finally {
    store.keepDeadValues = hashed;
  }
}

function exploreDepthFirst(model: Model, opts: ExploreOptions): ExploreResult {
  const t0 = performance.now();
  const s = new Search(model, opts);
  const store = s.store;
  const start = store.mark();
  model.setTracing(false);
  try {
    s.run();
  } finally {
    store.undo(start);
    model.setTracing(true);
    s.release();
  }
  const violation = s.best !== undefined ? replayCounterexample(model, start, s.best) : undefined;
  return {
    complete: s.complete,
    ...(s.stoppedBy !== undefined && { stoppedBy: s.stoppedBy }),
    violation,
    states: s.bounded ? s.seenB.size : s.seen.size,
    transitions: s.transitions,
    ms: performance.now() - t0,
    maxDepth: s.maxDepth,
    order: "depth-first",
    sleepPruned: s.sleepPruned,
    bytes: s.bytes(),
    persistentPruned: s.persistentPruned,
    soloRuns: s.pers?.soloRuns ?? s.soloRunsBefore,
    provisoExpansions: s.provisoExpansions,
    persistentGaveUp: s.persistentGaveUp,
    persistentUsed: s.persistentUsed,
  };
}

/** A shortest counterexample, breadth-first: see bfs.ts. */
function exploreBreadthFirst(model: Model, opts: ExploreOptions, transitionsBefore: number, knownSteps?: number): ExploreResult {
  const t0 = performance.now();
  const store = model.store;
  const start = store.mark();
  model.setTracing(false);
  let r;
  try {
    r = bfsShortest(model, {
      maxStates: opts.maxStates ?? Infinity,
      onState: opts.onState,
      persistentSets: (opts.persistentSets ?? true) !== false,
      progress: opts.progress,
      transitionsBefore,
      knownSteps,
    });
  } finally {
    store.undo(start);
    model.setTracing(true);
  }
  const violation = r.best !== undefined ? replayCounterexample(model, start, r.best) : undefined;
  return {
    complete: r.complete,
    ...(r.stoppedBy !== undefined && { stoppedBy: r.stoppedBy }),
    violation,
    states: r.states,
    transitions: r.transitions,
    ms: performance.now() - t0,
    maxDepth: r.maxDepth,
    order: "depth-first, then breadth-first",
    sleepPruned: 0,
    bytes: r.bytes,
    persistentPruned: r.persistentPruned,
    soloRuns: r.soloRuns,
    provisoExpansions: 0,
    persistentGaveUp: false,
    persistentUsed: opts.persistentSets !== false,
  };
}
