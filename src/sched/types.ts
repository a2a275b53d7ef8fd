/** Result types shared by the runners, the explorer and the formatters. */
import type { Violation } from "../oracle/violation";
import type { Trace } from "./model";

/** A violation with the schedule that reaches it and its replayed, traced steps. */
export interface Counterexample {
  readonly violation: Violation;
  readonly trace: Trace;
  /** Agent indices, one per step: feed to runSchedule() to replay. */
  readonly schedule: readonly number[];
}

/** A trace from runStraight: `complete` is false when maxSteps cut the run short. */
export interface RunTrace extends Trace {
  readonly complete: boolean;
}

/** How far a search has got (ExploreOptions.progress). */
export interface ExploreProgress {
  readonly order: "depth-first" | "breadth-first";
  readonly states: number;
  readonly transitions: number;
  /** Deepest state so far (breadth-first: the level being expanded). */
  readonly maxDepth: number;
  /** Bytes of the search's own tables. */
  readonly bytes: number;
  /**
   * Breadth-first phase of a shortest search: the steps of the shortest counterexample
   * known so far; the search is looking for a shorter one.
   */
  readonly shortestKnown?: number;
}

/** How often ExploreOptions.progress is called: a power of two, tens of milliseconds of work. */
export const PROGRESS_TRANSITIONS = 1 << 15;
