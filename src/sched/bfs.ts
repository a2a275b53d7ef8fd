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
 */
import type { Model } from "./model";
import { StateTable } from "./table";

export interface BfsOptions {
  readonly maxStates: number;
  readonly onState: ((fingerprint: number, depth: number) => void) | undefined;
}

export interface BfsResult {
  /** A shortest violating schedule, if any. */
  readonly best: number[] | undefined;
  readonly complete: boolean;
  readonly states: number;
  /** Steps that reached a state from its parent (replays not counted). */
  readonly transitions: number;
  /** Steps replayed to get back to states on earlier paths. */
  readonly replayed: number;
  readonly maxDepth: number;
  /** Bytes of the state table and per-state arrays. */
  readonly bytes: number;
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
    }
  };

  claim(-1, -1, 0);
  pathNode.push(0);
  pathMark.push(store.mark());
  if (terminalViolation()) return { best: [], complete, states: 1, transitions, replayed, maxDepth: 0, bytes: 0 };

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
      for (let a = 0; a < n; a++) {
        if (!model.enabled(a)) continue;
        const res = model.step(a);
        transitions++;
        if (res.violations.length > 0) {
          best = scheduleOf(x, a);
          break search;
        }
        const id = seen.size >= opts.maxStates ? -2 : claim(x, a, depth + 1);
        if (id === -2) {
          // A new state beyond the limit: the search cannot finish.
          seen.probeParts(store.fingerprintHigh(), store.fingerprintLow());
          if (!seen.found) {
            complete = false;
            break search;
          }
        } else if (id >= 0) {
          if (terminalViolation()) {
            best = scheduleOf(id);
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
    depth++;
    const t = frontier;
    frontier = next;
    next = t.length >= nn ? t : new Int32Array(nn);
    size = nn;
  }
  const bytes = seen.bytes + parent.data.byteLength + agent.data.byteLength + depthOf.data.byteLength + frontier.byteLength + next.byteLength;
  const maxDepth = best !== undefined ? best.length : depth;
  return { best, complete, states: seen.size, transitions, replayed, maxDepth, bytes };
}
