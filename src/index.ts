/** tlbkata: the simulation package. */
export const VERSION = "0.1.0";
export * from "./sim/store";
export * from "./oracle/violation";
export * from "./sched/model";
