/**
 * Breadth-first search for a shortest counterexample.
 *
 * States are visited level by level, so the first violation met is a shortest one
 * and the search stops there, where a depth-first search would keep going with a
 * tighter depth bound. The store only steps forward and undoes, so a state is
 * reached again by replaying its path from the nearest state on the current path:
 * each level is kept in path order (children of a state in agent order, after its
 * parent's earlier siblings' children), so consecutive states share most of their
 * path and a level costs about one replayed step per state.
 *
 * Each state keeps only its parent and the agent that led to it (two int32 words).
 *
 * With persistent sets (persistent.ts) only a persistent set of agents is stepped from
 * each state. That alone could lengthen counterexamples: a shortest one made only of
 * steps of agents outside the set is replaced by one that also steps a member. Such a
 * path is an interleaving of the outsiders' solo runs, so one outsider running alone
 * reaches a violation at least as soon: each state's solo runs that end in a violation
 * are counted as counterexamples of their length, and the search stops only once no
 * shorter one can come. The result is as short as the full search's.
 */
import type { Model } from "./model";
import { StateTable } from "./table";
import { Persistent, popcount, type Future } from "./persistent";
import { PROGRESS_TRANSITIONS, type ExploreProgress } from "./types";

export interface BfsOptions {
  readonly maxStates: number;
  /** Step only a persistent set of agents from each state. */
  readonly persistentSets: boolean;
  readonly onState: ((fingerprint: number, depth: number) => void) | undefined;
  /** As ExploreOptions.progress; its transitions count from transitionsBefore (the depth-first search's). */
  readonly progress?: ((p: ExploreProgress) => boolean | void) | undefined;
  readonly transitionsBefore?: number;
  /** Steps of a counterexample found before this search (the depth-first one's), for progress reports. */
  readonly knownSteps?: number;
}

export interface BfsResult {
  /** A shortest violating schedule, if any. */
  readonly best: number[] | undefined;
  readonly complete: boolean;
  readonly stoppedBy?: "max-states" | "caller";
  readonly states: number;
  /** Steps that reached a state from its parent (replays not counted). */
  readonly transitions: number;
  /** Steps replayed to get back to states on earlier paths. */
  readonly replayed: number;
  readonly maxDepth: number;
  /** Bytes of the state table and per-state arrays. */
  readonly bytes: number;
  /** Enabled transitions the persistent sets left out. */
  readonly persistentPruned: number;
  readonly soloRuns: number;
}

/** Growable int32 column. */
class Column {
  data = new Int32Array(1024);
  push(i: number, v: number): void {
    if (i >= this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[i] = v;
  }
}

export function bfsShortest(model: Model, opts: BfsOptions): BfsResult {
  const store = model.store;
  const n = model.agentCount;
  const seen = new StateTable(1 << 10);
  const parent = new Column();
  const agent = new Column();
  const depthOf = new Column();
  // The path the store is on: node and store mark by depth.
  const pathNode: number[] = [];
  const pathMark: number[] = [];
  let transitions = 0;
  let replayed = 0;
  let complete = true;
  let stoppedBy: "max-states" | "caller" | undefined;
  let best: number[] | undefined;

  const scheduleOf = (x: number, extra?: number): number[] => {
    const s: number[] = [];
    for (let y = x; y > 0; y = parent.data[y]!) s.push(agent.data[y]!);
    s.reverse();
    if (extra !== undefined) s.push(extra);
    return s;
  };
  /** A new state at `depth`: claims it; false if it was seen already. */
  const claim = (p: number, a: number, depth: number): number => {
    const hi = store.fingerprintHigh();
    const lo = store.fingerprintLow();
    const i = seen.probeParts(hi, lo);
    if (seen.found) return -1;
    const id = seen.size;
    seen.claimParts(i, hi, lo);
    parent.push(id, p);
    agent.push(id, a);
    depthOf.push(id, depth);
    if (opts.onState !== undefined) opts.onState(store.fingerprint(), depth);
    return id;
  };
  const terminalViolation = (): boolean => {
    for (let a = 0; a < n; a++) if (model.enabled(a)) return false;
    return model.finalCheck().length > 0;
  };

  /** Bring the store to node x (its parent's path is mostly the current one). */
  const stack: number[] = [];
  const moveTo = (x: number): void => {
    let y = x;
    let d = depthOf.data[y]!;
    while (pathNode[d] !== y) {
      stack.push(y);
      y = parent.data[y]!;
      d--;
    }
    store.undo(pathMark[d]!);
    pathNode.length = d + 1;
    pathMark.length = d + 1;
    while (stack.length > 0) {
      const z = stack.pop()!;
      model.step(agent.data[z]!);
      replayed++;
      pathNode.push(z);
      pathMark.push(store.mark());
      futuresAt(pathNode.length - 1, agent.data[z]!);
    }
  };

  const pers = opts.persistentSets ? new Persistent(model, store) : undefined;
  // Persistent sets: each state's futures on the path the store is on, by depth; a
  // state replayed into derives them from its parent's (Persistent.futures).
  const pathFuts: Future[][] = [];
  const pathOffs: Int32Array[] = [];
  const pathEnabled: number[] = [];
  const futuresAt = (d: number, a: number): void => {
    if (pers === undefined) return;
    if (pathFuts.length <= d) {
      pathFuts.push(new Array<Future>(n));
      pathOffs.push(new Int32Array(n));
    }
    pathEnabled[d] = d === 0 ? pers.futures(pathFuts[0]!, pathOffs[0]!) : pers.futures(pathFuts[d]!, pathOffs[d]!, pathFuts[d - 1]!, pathOffs[d - 1]!, a);
  };
  let persistentPruned = 0;
  /** Agents to step from the current state, node x at `depth`: a persistent set, or -1 for all. */
  const toStep = (x: number, depth: number): number => {
    if (pers === undefined) return -1;
    const futs = pathFuts[depth]!;
    const offs = pathOffs[depth]!;
    const en = pathEnabled[depth]!;
    for (let a = 0; a < n; a++) {
      const f = futs[a]!;
      if (f.violationSteps === 0) continue;
      // An agent alone reaches a violation: a counterexample, if shorter than the best.
      const k = f.violationSteps - offs[a]!;
      if (best === undefined || depth + k < best.length) {
        best = scheduleOf(x);
        for (let j = 0; j < k; j++) best.push(a);
      }
    }
    if (en === 0) return 0;
    pers.conflicts(futs, offs, en);
    const ps = pers.choose(en, n);
    persistentPruned += popcount(en & ~ps);
    return ps;
  };
  claim(-1, -1, 0);
  pathNode.push(0);
  pathMark.push(store.mark());
  futuresAt(0, -1);
  if (terminalViolation()) return { best: [], complete, states: 1, transitions, replayed, maxDepth: 0, bytes: 0, persistentPruned: 0, soloRuns: 0 };

  /** Bytes of the state table and the per-state columns. */
  const tableBytes = (): number => seen.bytes + parent.data.byteLength + agent.data.byteLength + depthOf.data.byteLength;
  const done = (): BfsResult => {
    const bytes = tableBytes() + frontier.byteLength + next.byteLength;
    const maxDepth = best !== undefined ? best.length : depth;
    return { best, complete, ...(stoppedBy !== undefined && { stoppedBy }), states: seen.size, transitions, replayed, maxDepth, bytes, persistentPruned, soloRuns: pers?.soloRuns ?? 0 };
  };
  const before = opts.transitionsBefore ?? 0;
  /** Tell the caller how far the search got; false if it says stop. */
  const report = (): boolean => {
    const known = best !== undefined ? Math.min(best.length, opts.knownSteps ?? Infinity) : opts.knownSteps;
    const p: ExploreProgress = { order: "breadth-first", states: seen.size, transitions: before + transitions, maxDepth: depth, bytes: tableBytes(), ...(known !== undefined && { shortestKnown: known }) };
    if (opts.progress!(p) !== false) return true;
    complete = false;
    stoppedBy = "caller";
    return false;
  };

  let frontier = new Int32Array(1);
  let size = 1;
  let depth = 0;
  let next = new Int32Array(1024);
  search: while (size > 0) {
    let nn = 0;
    for (let k = 0; k < size; k++) {
      const x = frontier[k]!;
      moveTo(x);
      const here = store.mark();
      const ps = toStep(x, depth);
      for (let a = 0; a < n; a++) {
        if (ps === -1 ? !model.enabled(a) : ((ps >>> a) & 1) === 0) continue;
        const res = model.step(a);
        if ((++transitions & (PROGRESS_TRANSITIONS - 1)) === 0 && opts.progress !== undefined && !report()) break search;
        if (res.violations.length > 0) {
          // Nothing found so far is shorter (solo runs from this level are at least as long).
          best = scheduleOf(x, a);
          break search;
        }
        const id = seen.size >= opts.maxStates ? -2 : claim(x, a, depth + 1);
        if (id === -2) {
          // A new state beyond the limit: the search cannot finish.
          seen.probeParts(store.fingerprintHigh(), store.fingerprintLow());
          if (!seen.found) {
            complete = false;
            stoppedBy = "max-states";
            break search;
          }
        } else if (id >= 0) {
          if (terminalViolation()) {
            if (best === undefined || depth + 1 < best.length) best = scheduleOf(id);
            break search;
          }
          if (nn === next.length) {
            const g = new Int32Array(nn * 2);
            g.set(next);
            next = g;
          }
          next[nn++] = id;
        }
        store.undo(here);
      }
    }
    if (nn === 0) break;
    // The next level's violations are depth + 2 steps long at least.
    if (best !== undefined && best.length <= depth + 2) break;
    depth++;
    const t = frontier;
    frontier = next;
    next = t.length >= nn ? t : new Int32Array(nn);
    size = nn;
  }
  return done();
}
