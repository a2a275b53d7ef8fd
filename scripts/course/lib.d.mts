// Types for lib.mjs, for TypeScript callers (tests).
export declare const ROOT: string;
export declare const JUPYTER_DIR: string;
export declare const KERNEL_JSON: string;
export declare const TSLAB_BIN: string;
export declare const NOTEBOOKS_DIR: string;
export declare const JUPYTER_DEBS: string[];
export declare const CHROMIUM_DEBS: string[];
export declare class UserError extends Error {
  constructor(message: string, exitCode?: number);
  exitCode: number;
}
export declare function runMain(prefix: string, main: () => unknown): void;
export declare function isExecutable(file: string): boolean;
export declare function which(name: string): string | null;
export declare function pythonEnv(extra?: Record<string, string>): NodeJS.ProcessEnv;
export declare function findJupyterPython(): string | null;
export declare function findJupyter(python: string | null): string | null;
export declare function jupyterPath(): string;
export declare function kernelEnv(extra?: Record<string, string>): NodeJS.ProcessEnv;
export declare function kernelSpec(): { argv: string[]; display_name: string; language: string };
export declare function writeKernelSpec(): "written" | "unchanged";
export declare function listNotebooks(): string[];
