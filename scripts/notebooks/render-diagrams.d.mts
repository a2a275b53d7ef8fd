// Types for render-diagrams.mjs, for TypeScript callers (tests, scripts).
export declare const DIAGRAMS_DIR: string;
export declare const SVG_DIR: string;
export declare const PUPPETEER_CONFIG: string;
export interface RenderOptions {
  /** id attribute of the <svg>; keep it unique per page. */
  svgId?: string;
}
export declare function sourceHash(text: string): string;
export declare function puppeteerLaunchOptions(): { executablePath: string; args?: string[]; [k: string]: unknown };
export declare function browserAvailable(): boolean;
export declare function browserMissingMessage(): string;
/** The puppeteer module mermaid-cli brings (launch it with puppeteerLaunchOptions()). */
export declare function loadPuppeteer(): Promise<{ launch(opts: unknown): Promise<any> }>;
export declare function withMermaidRenderer<T>(
  fn: (render: (text: string, opts?: RenderOptions) => Promise<string>) => Promise<T>,
): Promise<T>;
/** Render one Mermaid definition to SVG text (starts and stops a browser). */
export declare function renderMermaidToSvg(text: string, opts?: RenderOptions): Promise<string>;
export declare function listSources(only?: string[]): string[];
export declare function svgPathFor(source: string): string;
export declare function svgState(source: string): "ok" | "missing" | "stale";
export declare function renderSources(sources: string[], log?: (line: string) => void): Promise<number>;
