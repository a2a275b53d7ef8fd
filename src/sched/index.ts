/** The scheduler and explorer: public entry points. */
export type { Model, StepResult, Trace, TraceStep } from "./model";
export type { Counterexample, RunTrace, ExploreProgress } from "./types";
export { PROGRESS_TRANSITIONS } from "./types";
export { runStraight, runSchedule, runRandom, replayCounterexample } from "./run";
export type { StraightOptions, RandomOptions, RandomResult } from "./run";
export { explore, PROBE_STATES, PROBE_PRUNED, PERSISTENT_MIN_AGENTS } from "./explore";
export type { ExploreOptions, ExploreResult } from "./explore";
export {
  traceToText,
  shownEvents,
  MAX_STEP_EVENTS,
  traceToMermaid,
  mermaidEscape,
  violationToJSON,
  stepToJSON,
  counterexampleToJSON,
  resultToJSON,
} from "./format";
export type { MermaidOptions, TraceStepJSON, ViolationJSON, CounterexampleJSON } from "./format";
export { measure } from "./bench";
export type { MeasureOptions } from "./bench";
export { mulberry32 } from "./random";
