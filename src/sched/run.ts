/**
 * Running one schedule at a time: the author's straight-line order, an explicit
 * schedule (to replay a counterexample), and seeded random schedules.
 */
import type { Violation } from "../oracle/violation";
import type { Model, Trace, TraceStep } from "./model";
import { mulberry32 } from "./random";
import type { Counterexample, RunTrace } from "./types";

/** Run one traced step and append it to `steps`; returns the step's first violation. */
function tracedStep(model: Model, agent: number, steps: TraceStep[]): Violation | undefined {
  const label = model.nextLabel(agent);
  const r = model.step(agent);
  steps.push({
    index: steps.length + 1,
    agent,
    agentName: model.agentName(agent),
    label,
    // Copied: a model may reuse its event buffer between steps.
    events: r.events.slice(),
  });
  return r.violations[0];
}

function lowestEnabled(model: Model): number {
  for (let a = 0; a < model.agentCount; a++) if (model.enabled(a)) return a;
  return -1;
}

function enabledNames(model: Model): string {
  const out: string[] = [];
  for (let a = 0; a < model.agentCount; a++) if (model.enabled(a)) out.push(`${a} (${model.agentName(a)})`);
  return out.length ? out.join(", ") : "none";
}

export interface StraightOptions {
  /** Stop after this many steps (default 100000): guards against agents that never finish. */
  readonly maxSteps?: number;
}

/**
 * The order a scenario author writes: the lowest-numbered enabled agent runs until it
 * blocks or finishes, then the lowest-numbered enabled agent again. Tracing is on.
 * Leaves the model in its final state (mark/undo around the call to keep the start).
 */
export function runStraight(model: Model, opts: StraightOptions = {}): RunTrace {
  const maxSteps = opts.maxSteps ?? 100_000;
  model.setTracing(true);
  const steps: TraceStep[] = [];
  let cur = -1;
  for (;;) {
    if (cur < 0 || !model.enabled(cur)) cur = lowestEnabled(model);
    if (cur < 0) {
      const v = model.finalCheck()[0];
      return v ? { steps, violation: v, complete: true } : { steps, complete: true };
    }
    if (steps.length >= maxSteps) return { steps, complete: false };
    const v = tracedStep(model, cur, steps);
    if (v) return { steps, violation: v, complete: true };
  }
}

/**
 * Replay an explicit schedule (agent indices), traced. Ends early at a violation; if
 * no agent is enabled after the last step, finalCheck() decides the outcome. Leaves
 * the model in the reached state.
 */
export function runSchedule(model: Model, schedule: readonly number[]): Trace {
  model.setTracing(true);
  const steps: TraceStep[] = [];
  for (let i = 0; i < schedule.length; i++) {
    const a = schedule[i]!;
    if (!Number.isInteger(a) || a < 0 || a >= model.agentCount) {
      throw new Error(`runSchedule: step ${i + 1} names agent ${a}, but the model has agents 0..${model.agentCount - 1}`);
    }
    if (!model.enabled(a)) {
      throw new Error(
        `runSchedule: step ${i + 1} schedules agent ${a} (${model.agentName(a)}), which is not enabled; enabled: ${enabledNames(model)}`,
      );
    }
    const v = tracedStep(model, a, steps);
    if (v) return { steps, violation: v };
  }
  if (lowestEnabled(model) < 0) {
    const v = model.finalCheck()[0];
    if (v) return { steps, violation: v };
  }
  return { steps };
}

/**
 * Replay a schedule found with tracing off, from `start`, and return to `start`.
 * A schedule that no longer ends in a violation means the model keeps state outside
 * its store or is otherwise nondeterministic; say so rather than return a bogus trace.
 */
export function replayCounterexample(model: Model, start: number, schedule: readonly number[]): Counterexample {
  model.store.undo(start);
  let trace: Trace;
  try {
    trace = runSchedule(model, schedule);
  } finally {
    model.store.undo(start);
  }
  if (!trace.violation) {
    throw new Error(
      `replay of schedule [${schedule.join(",")}] did not reproduce its violation: the model is nondeterministic or keeps state outside its Store`,
    );
  }
  return { violation: trace.violation, trace, schedule: schedule.slice() };
}

export interface RandomOptions {
  readonly seed?: number;
  readonly runs?: number;
  /** Steps per run before giving up on that run (default 10000). */
  readonly maxSteps?: number;
}

export interface RandomResult {
  readonly violation?: Counterexample;
  /** Runs made, including the one that found the violation. */
  readonly runs: number;
  /** Steps taken over all runs. */
  readonly steps: number;
  readonly ms: number;
}

/**
 * Random schedules from the current state, which is restored between runs and at the
 * end. Same seed, same model ⇒ same result. Stops at the first violation.
 */
export function runRandom(model: Model, opts: RandomOptions = {}): RandomResult {
  const t0 = performance.now();
  const rand = mulberry32(opts.seed ?? 1);
  const runs = opts.runs ?? 1000;
  const maxSteps = opts.maxSteps ?? 10_000;
  const store = model.store;
  const n = model.agentCount;
  const start = store.mark();
  const enabled = new Int32Array(n);
  const schedule: number[] = [];
  let steps = 0;
  let run = 0;
  let found: number[] | undefined;
  model.setTracing(false);
  try {
    while (run < runs && !found) {
      run++;
      schedule.length = 0;
      for (;;) {
        let k = 0;
        for (let a = 0; a < n; a++) if (model.enabled(a)) enabled[k++] = a;
        if (k === 0) {
          if (model.finalCheck().length > 0) found = schedule.slice();
          break;
        }
        if (schedule.length >= maxSteps) break;
        const a = enabled[Math.floor(rand() * k)]!;
        schedule.push(a);
        steps++;
        if (model.step(a).violations.length > 0) {
          found = schedule.slice();
          break;
        }
      }
      store.undo(start);
    }
  } finally {
    store.undo(start);
  }
  const violation = found ? replayCounterexample(model, start, found) : undefined;
  return { violation, runs: run, steps, ms: performance.now() - t0 };
}
