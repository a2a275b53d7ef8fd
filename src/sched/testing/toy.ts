/**
 * Small models on the real Store, for testing the scheduler and explorer. Each agent
 * is a straight-line program of steps; its program counter lives in the store.
 */
import { violation, type Violation } from "../../oracle/violation";
import { Store } from "../../sim/store";
import type { Model, StepResult } from "../model";
import { mulberry32 } from "../random";

export interface ToyStep {
  readonly label: string;
  /** The agent is blocked while this is false. Must read state through the store. */
  readonly guard?: () => boolean;
  /** Does the step; returns a violation to report one. */
  readonly run: (log: (event: string) => void) => Violation | void;
  /** Step index to continue at (default: the next one), for loops. */
  readonly goto?: number;
}

export interface ToyAgent {
  readonly name: string;
  readonly steps: readonly ToyStep[];
}

const QUIET: StepResult = { events: [], violations: [] };

export class ToyModel implements Model {
  readonly agentCount: number;
  private readonly pcs: number[];
  private tracing = true;
  private events: string[] = [];
  private readonly log = (e: string): void => {
    if (this.tracing) this.events.push(e);
  };

  constructor(
    readonly store: Store,
    private readonly agents: readonly ToyAgent[],
    private readonly final: () => readonly Violation[] = () => [],
  ) {
    this.agentCount = agents.length;
    this.pcs = agents.map((a) => store.alloc(`${a.name}.pc`));
  }

  agentName(agent: number): string {
    return this.agents[agent]!.name;
  }

  enabled(agent: number): boolean {
    const steps = this.agents[agent]!.steps;
    const pc = this.store.get(this.pcs[agent]!);
    if (pc >= steps.length) return false;
    const g = steps[pc]!.guard;
    return g === undefined || g();
  }

  nextLabel(agent: number): string {
    const steps = this.agents[agent]!.steps;
    const pc = this.store.get(this.pcs[agent]!);
    return pc < steps.length ? steps[pc]!.label : "(done)";
  }

  step(agent: number): StepResult {
    const slot = this.pcs[agent]!;
    const pc = this.store.get(slot);
    const st = this.agents[agent]!.steps[pc]!;
    this.store.set(slot, st.goto ?? pc + 1);
    if (this.tracing) this.events = [];
    const v = st.run(this.log);
    if (!this.tracing && !v) return QUIET;
    return { events: this.tracing ? this.events : [], violations: v ? [v] : [] };
  }

  finalCheck(): readonly Violation[] {
    return this.final();
  }

  setTracing(on: boolean): void {
    this.tracing = on;
  }
}

/**
 * Agents increment a shared counter `increments` times each, non-atomically (read
 * into a private register, then write back). `check: "step"` reports a lost write in
 * the write step that loses it; `check: "final"` only at the end.
 */
export function racyCounter(agents = 2, increments = 1, check: "step" | "final" = "final"): ToyModel {
  const store = new Store();
  const c = store.alloc("counter");
  const list: ToyAgent[] = [];
  for (let i = 0; i < agents; i++) {
    const reg = store.alloc(`t${i}.reg`);
    const steps: ToyStep[] = [];
    for (let k = 0; k < increments; k++) {
      steps.push({
        label: "load counter",
        run: (log) => {
          store.set(reg, store.get(c));
          log(`reg = ${store.get(reg)}`);
        },
      });
      steps.push({
        label: "store counter+1",
        run: (log) => {
          const cur = store.get(c);
          const r = store.get(reg);
          store.set(c, r + 1);
          log(`counter = ${r + 1}`);
          if (check === "step" && cur !== r) {
            return violation("lost-write", `t${i} overwrote counter ${cur} with ${r + 1}: an increment was lost`);
          }
        },
      });
    }
    list.push({ name: `t${i}`, steps });
  }
  const want = agents * increments;
  return new ToyModel(store, list, () => {
    const got = store.get(c);
    return got === want ? [] : [violation("lost-write", `counter is ${got}, expected ${want}`)];
  });
}

/** Like racyCounter, but each increment is one atomic step: no violation. */
export function atomicCounter(agents = 2, increments = 2): ToyModel {
  const store = new Store();
  const c = store.alloc("counter");
  const list: ToyAgent[] = [];
  for (let i = 0; i < agents; i++) {
    const steps: ToyStep[] = [];
    for (let k = 0; k < increments; k++) steps.push({ label: "counter++", run: () => store.set(c, store.get(c) + 1) });
    list.push({ name: `t${i}`, steps });
  }
  return new ToyModel(store, list);
}

/** Agents that each bump a private counter: every pair of steps is independent. */
export function independentAgents(agents = 3, steps = 2): ToyModel {
  const store = new Store();
  const list: ToyAgent[] = [];
  for (let i = 0; i < agents; i++) {
    const own = store.alloc(`a${i}.count`);
    const s: ToyStep[] = [];
    for (let k = 0; k < steps; k++) s.push({ label: "own++", run: () => store.set(own, store.get(own) + 1) });
    list.push({ name: `a${i}`, steps: s });
  }
  return new ToyModel(store, list);
}

/**
 * A writer sets x = 1 then x = 2; a reader samples x twice. Seeing exactly 0 then 1
 * needs reader, writer, reader: two preemptions.
 */
export function twoPreemptions(): ToyModel {
  const store = new Store();
  const x = store.alloc("x");
  const r = store.alloc("reader.r");
  return new ToyModel(store, [
    {
      name: "writer",
      steps: [
        { label: "x = 1", run: () => store.set(x, 1) },
        { label: "x = 2", run: () => store.set(x, 2) },
      ],
    },
    {
      name: "reader",
      steps: [
        { label: "r = x", run: () => store.set(r, store.get(x)) },
        {
          label: "check x",
          run: () => {
            if (store.get(r) === 0 && store.get(x) === 1) return violation("ordering", "reader saw x go 0 -> 1");
          },
        },
      ],
    },
  ]);
}

/**
 * A random program over a few shared slots: loads, stores, waits (blocking guards)
 * and checks. Used to compare POR against plain search and a brute-force reference.
 */
export function randomProgram(
  seed: number,
  opts: { agents?: number; maxSteps?: number; checks?: boolean; loops?: boolean; slots?: number } = {},
): ToyModel {
  const rand = mulberry32(seed);
  const pick = (k: number): number => Math.floor(rand() * k);
  const store = new Store();
  const nslots = opts.slots ?? 3;
  const shared = Array.from({ length: nslots }, (_, j) => store.alloc(`s${j}`));
  const agents = opts.agents ?? 2 + pick(2);
  const checks = opts.checks ?? true;
  const list: ToyAgent[] = [];
  for (let i = 0; i < agents; i++) {
    const reg = store.alloc(`p${i}.reg`);
    const steps: ToyStep[] = [];
    const len = 1 + pick(opts.maxSteps ?? 4);
    for (let k = 0; k < len; k++) {
      const j = pick(nslots);
      const x = shared[j]!;
      const v = pick(3);
      switch (pick(checks ? 4 : 3)) {
        case 0:
          steps.push({ label: `reg = s${j}`, run: () => store.set(reg, store.get(x)) });
          break;
        case 1:
          steps.push({ label: `s${j} = reg + ${v}`, run: () => store.set(x, (store.get(reg) + v) % 3) });
          break;
        case 2:
          steps.push({ label: `wait s${j} == ${v}`, guard: () => store.get(x) === v, run: () => {} });
          break;
        default:
          steps.push({
            label: `check s${j} != ${v}`,
            run: () => (store.get(x) === v ? violation("corruption", `p${i} saw s${j} == ${v}`) : undefined),
          });
      }
    }
    if (opts.loops) {
      // Some steps jump anywhere in the program (or past its end): the same state is
      // then reachable along paths of different lengths, and cycles appear.
      for (let k = 0; k < steps.length; k++) {
        if (pick(3) === 0) steps[k] = { ...steps[k]!, goto: pick(steps.length + 1) };
      }
    }
    list.push({ name: `p${i}`, steps });
  }
  return new ToyModel(store, list);
}
