/**
 * Load a learner's TypeScript file in plain Node (the CLI; vitest has its own
 * transform): transpile it with the TypeScript compiler on require, with inline
 * source maps so that stack traces point at the learner's lines. Syntax errors become
 * a one-line LoadError naming the file and line.
 */
import * as fs from "fs";
import * as path from "path";
import type * as TS from "typescript";
import { atUserFrame } from "../sim/where";

export class LoadError extends Error {}

let installed = false;

function typescript(): typeof TS {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("typescript") as typeof TS;
  } catch {
    throw new LoadError("loading a .ts file needs the typescript package: run `npm install` in the course folder");
  }
}

/** What a compiled file depends on besides its source: the compiler's version and our options. */
export const COMPILER_KEY = `typescript ${typescriptVersion()}; cjs es2022 inline-map 1`;

function typescriptVersion(): string {
  try {
    // The package.json alone: loading the compiler itself takes a third of a second.
    return (JSON.parse(fs.readFileSync(require.resolve("typescript/package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/** TypeScript source to CommonJS with an inline source map. Throws LoadError on a syntax error. */
export function transpileTs(file: string, source: string): string {
  return transpile(typescript(), file, source);
}

function transpile(ts: typeof TS, file: string, source: string): string {
  const out = ts.transpileModule(source, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      inlineSourceMap: true,
      inlineSources: true,
    },
  });
  const err = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (err) {
    const pos = err.file && err.start !== undefined ? err.file.getLineAndCharacterOfPosition(err.start) : null;
    const where = pos ? `:${pos.line + 1}:${pos.character + 1}` : "";
    throw new LoadError(`${path.basename(file)}${where}: ${ts.flattenDiagnosticMessageText(err.messageText, " ")}`);
  }
  return out.outputText;
}

function install(): void {
  if (installed) return;
  const ts = typescript();
  process.setSourceMapsEnabled(true);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Module = require("module") as { _extensions: Record<string, (m: { _compile(code: string, file: string): void }, file: string) => void> };
  Module._extensions[".ts"] = (m, file) => m._compile(transpile(ts, file, fs.readFileSync(file, "utf8")), file);
  installed = true;
}

/** require() a .ts file (and the .ts files it imports). Throws LoadError with one line. */
export function loadTsModule(file: string): Record<string, unknown> {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new LoadError(`${file}: no such file`);
  if (!abs.endsWith(".ts")) throw new LoadError(`${file}: expected a TypeScript (.ts) file`);
  install();
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(abs) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof LoadError) throw e;
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new LoadError(`${path.basename(abs)} could not be loaded: ${msg}${atUserFrame(e)}`);
  }
}

/**
 * Type errors in learners' files, as "file.ts:LINE:COL: message" lines (at most `max`
 * per file), from one TypeScript program over all of them. Types do not change how
 * the code runs, so these are shown beside the test results rather than failing
 * them; they often explain a failure.
 */
export function typeErrors(files: readonly string[], max = 5): Map<string, string[]> {
  const ts = typescript();
  const program = ts.createProgram(
    files.map((f) => path.resolve(f)),
    {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      esModuleInterop: true,
      types: ["node"],
      lib: ["lib.es2022.d.ts"],
    },
  );
  const out = new Map<string, string[]>(files.map((f) => [path.resolve(f), []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if (d.category !== ts.DiagnosticCategory.Error || !d.file) continue;
    const list = out.get(path.resolve(d.file.fileName));
    if (!list || list.length >= max) continue;
    const pos = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    list.push(`${path.basename(d.file.fileName)}:${pos.line + 1}:${pos.character + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
  }
  return out;
}
