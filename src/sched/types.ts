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
