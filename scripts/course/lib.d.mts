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
export declare const VENV_DIR: string;
export declare const VENV_PYTHON: string;
export declare const JUPYTERLAB_VERSION: string;
export declare const LAB_FAILED_FILE: string;
export interface CourseJupyter {
  kind: "lab" | "notebook";
  python: string;
  version: string;
  name: string;
  origin: string;
}
export declare function probePython(python: string | null): Record<string, string | null> | null;
export declare function findCourseJupyter(): CourseJupyter | null;
export declare function findJupyterPython(): string | null;
export declare function labFailure(): string | null;
export declare function jupyterCommand(jupyter: CourseJupyter): string[];
export declare function jupyterPath(): string;
export declare function kernelEnv(extra?: Record<string, string>): NodeJS.ProcessEnv;
export declare function kernelSpec(): { argv: string[]; display_name: string; language: string };
export declare function writeKernelSpec(): "written" | "unchanged";
export declare function listNotebooks(): string[];
