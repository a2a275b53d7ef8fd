/**
 * The contract between a simulated system and the scheduler/explorer.
 *
 * A model is a fixed set of agents (kernel threads, user threads, devices, hardware
 * queues). Each agent runs a sequence of atomic steps; between steps the scheduler may
 * switch to any enabled agent. All mutable state lives in `store`, so the explorer can
 * mark, step, and undo.
 */
import type { Footprint, Store } from "../sim/store";
import type { Violation } from "../oracle/violation";

export interface StepResult {
  /** Human-readable events the step produced (empty when tracing is off). */
  readonly events: readonly string[];
  /** Rule violations the oracle found during the step; a path ends at the first. */
  readonly violations: readonly Violation[];
}

export interface Model {
  readonly store: Store;
  readonly agentCount: number;
  agentName(agent: number): string;
  /** Whether the agent can take its next step now (not finished, not blocked). */
  enabled(agent: number): boolean;
  /** A short label for the agent's next step, such as "zap_pte_range: clear pte 0x1000". */
  nextLabel(agent: number): string;
  /** Run the agent's next step. Must only be called when enabled(agent). */
  step(agent: number): StepResult;
  /** Checks made when no agent is enabled (deadlock, unfinished work). */
  finalCheck(): readonly Violation[];
  /** Turn collection of step events on or off (off while exploring, on for replay). */
  setTracing(on: boolean): void;
}

/** One step of a schedule, as shown to a learner. */
export interface TraceStep {
  readonly index: number;
  readonly agent: number;
  readonly agentName: string;
  readonly label: string;
  readonly events: readonly string[];
}

export interface Trace {
  readonly steps: readonly TraceStep[];
  /** The violation that ended the trace, if any. */
  readonly violation?: Violation;
}

export type { Footprint };
