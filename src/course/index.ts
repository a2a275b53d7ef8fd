/**
 * Display helpers for the course notebooks: mermaid to SVG (with a browser), HTML
 * tables, step-by-step replays and small SVG charts. Exported from the package as
 * `course` (import { course } from "tlbkata").
 */
export { CourseError, renderMermaid, traceToSvg, prepareRenderer, closeRenderer, rendererAvailable, browserOptions, diagramId, RENDERER_IDLE_SECONDS } from "./mermaid";
export type { RenderOptions, BrowserOptions } from "./mermaid";
export { Html, raw, code, escapeHtml, htmlTable, preBlock, tlbTable } from "./html";
export type { Cell, TableOptions } from "./html";
export { replaySteps, replayTable, pteWatch, cachedWatch, frameWatch } from "./replay";
export type { Watch, ReplayRow } from "./replay";
export { lineChart, barChart, compactNumber, byteSize, PALETTE } from "./chart";
export type { Scale, ChartSeries, LineChartOptions, BarChartOptions } from "./chart";
export * from "./drivers";
