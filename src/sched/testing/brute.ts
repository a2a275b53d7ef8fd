/**
 * Reference enumerator for tests: every schedule, no caching, no reduction. Only for
 * tiny acyclic models; it is what explore() must agree with.
 */
import type { Model } from "../model";

export interface BruteResult {
  /** Fingerprints of every reachable state. */
  readonly states: Set<number>;
  /** Shortest violating schedule length using at most p preemptions, by p (Infinity = none). */
  readonly shortestByPreemptions: number[];
  readonly schedules: number;
}

export function brute(model: Model): BruteResult {
  const store = model.store;
  const n = model.agentCount;
  const states = new Set<number>();
  const byP: number[] = [];
  let schedules = 0;
  const found = (len: number, p: number): void => {
    while (byP.length <= p) byP.push(Infinity);
    byP[p] = Math.min(byP[p]!, len);
  };
  model.setTracing(false);
  const rec = (depth: number, last: number, p: number): void => {
    states.add(store.fingerprint());
    const en: number[] = [];
    for (let a = 0; a < n; a++) if (model.enabled(a)) en.push(a);
    if (en.length === 0) {
      schedules++;
      if (model.finalCheck().length > 0) found(depth, p);
      return;
    }
    for (const a of en) {
      const m = store.mark();
      const np = p + (last >= 0 && last !== a && en.includes(last) ? 1 : 0);
      if (model.step(a).violations.length > 0) {
        schedules++;
        found(depth + 1, np);
      } else rec(depth + 1, a, np);
      store.undo(m);
    }
  };
  const start = store.mark();
  rec(0, -1, 0);
  store.undo(start);
  // Make the table cumulative: a bound of p allows any count up to p.
  for (let p = 1; p < byP.length; p++) byP[p] = Math.min(byP[p]!, byP[p - 1]!);
  return { states, shortestByPreemptions: byP, schedules };
}

/** Shortest violation allowed under a preemption bound (Infinity when none). */
export function shortestWithin(r: BruteResult, bound = Infinity): number {
  const t = r.shortestByPreemptions;
  if (t.length === 0) return Infinity;
  return t[Math.min(t.length - 1, bound)]!;
}

/**
 * Breadth-first reference for models with cycles: the reachable states and the
 * shortest violation, optionally under a preemption bound. BFS over (state, last
 * agent, preemptions used), reaching each node by replaying its schedule.
 */
export function bfs(model: Model, bound = Infinity): { states: Set<number>; shortest: number } {
  const store = model.store;
  const n = model.agentCount;
  const start = store.mark();
  const states = new Set<number>([store.fingerprint()]);
  const nodes = new Set<string>();
  let shortest = Infinity;
  model.setTracing(false);
  let frontier: { schedule: number[]; p: number }[] = [{ schedule: [], p: 0 }];
  nodes.add(bound === Infinity ? `${store.fingerprint()}` : `${store.fingerprint()}/-1/0`);
  while (frontier.length > 0 && frontier[0]!.schedule.length < shortest) {
    const next: typeof frontier = [];
    for (const { schedule, p } of frontier) {
      store.undo(start);
      for (const a of schedule) model.step(a);
      const en: number[] = [];
      for (let a = 0; a < n; a++) if (model.enabled(a)) en.push(a);
      if (en.length === 0 && model.finalCheck().length > 0) shortest = Math.min(shortest, schedule.length);
      const last = schedule.length ? schedule[schedule.length - 1]! : -1;
      const here = store.mark();
      for (const a of en) {
        const np = p + (last >= 0 && last !== a && en.includes(last) ? 1 : 0);
        if (np > bound) continue;
        if (model.step(a).violations.length > 0) shortest = Math.min(shortest, schedule.length + 1);
        else {
          const fp = store.fingerprint();
          states.add(fp);
          // Unbounded, who ran last and how often we preempted do not matter.
          const key = bound === Infinity ? `${fp}` : `${fp}/${a}/${np}`;
          if (!nodes.has(key)) {
            nodes.add(key);
            next.push({ schedule: [...schedule, a], p: np });
          }
        }
        store.undo(here);
      }
    }
    frontier = next;
  }
  store.undo(start);
  return { states, shortest };
}
