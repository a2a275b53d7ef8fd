/**
 * Glue of the katas on the kernel's own paths (03-start-end-is-not-enough,
 * 04-clear-flush-notify, 04-call-sites, 11-permission-upgrade), exported together.
 */
export type { KernelHooks, ClearFlushNotify } from "../kernel/hooks";
export * from "./eager";
export * from "./clearflush";
export * from "./callsites";
export * from "./startend";
export * from "./upgrade";
