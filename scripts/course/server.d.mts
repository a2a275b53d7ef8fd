// Types for server.mjs, for TypeScript callers (tests).
import type { ChildProcess } from "node:child_process";
import type { CourseJupyter } from "./lib.mjs";
export interface JupyterServer {
  base: string;
  port: number;
  token: string;
  /** base + path + the token as a query parameter. */
  url(path: string): string;
  /** fetch(url(path)) as JSON; throws on an HTTP error. */
  api(path: string, init?: RequestInit): Promise<any>;
  /** Shut the kernels down, then stop the server's process group. */
  stop(): Promise<void>;
  /** The server's recent output, token masked. */
  log(): string;
  process: ChildProcess;
}
export declare function freePort(): Promise<number>;
export declare function startServer(
  jupyter: CourseJupyter,
  opts?: { root?: string; env?: Record<string, string>; args?: string[]; timeoutMs?: number },
): Promise<JupyterServer>;
