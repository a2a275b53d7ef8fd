/** Kata machinery: suites and cases, checks built on the explorer, the runner, the catalog. */
export * from "./suite";
export * from "./checks";
export * from "./runner";
export * from "./catalog";
export { userFrame, atUserFrame } from "../sim/where";
export { loadTsModule, LoadError, typeErrors } from "./load";
export { runKataJob, runKataJobs, type JobOptions, type JobResult } from "./job";
export type { WorkerSpec, PlannedCase } from "./protocol";
export * from "./progress";
export * from "./drivercases";
export * from "./property";
