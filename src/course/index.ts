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
export { courseMap, courseMapRows, notebookInfo } from "./lessons";
export type { NotebookInfo, CourseMapRow } from "./lessons";
export { spyRecord, spyRecords, spyTable } from "./spy";
export type { SpyRecord } from "./spy";
export { genericOpsDriver } from "./opsdriver";
export type { OpsContext } from "./opsdriver";
export { measureCommands, costTable, costCell, costBreakdown, rangeBytes, rangeLabel } from "./cost";
export type { Measured, CostColumn, CostTableOptions, RangeSize } from "./cost";
export { sweep, sweepTable, verdictTable } from "./sweep";
export type { SweepOptions, SweepRow } from "./sweep";
export { pteTable, describeTranslation, boundState } from "./inspect";
export { gridCells, gridTable } from "./sweep";
export type { GridOptions, GridCell, GridColumn } from "./sweep";
export { NOTE_WIDTH } from "./mermaid";
export { wrapText } from "../sched/format";
export { callSiteDriver, callSites, callSiteTable, coreCaller, v66Core, V66_KERNEL } from "./callsites";
export type { CallSite } from "./callsites";
export { munmapPages, correctGenericOn, upgradeWorld, wholeMmFlushUnderPtl } from "./scenarios";
export type { WholeMmFlush } from "./scenarios";
export { costCurves, COST_CURVES, armCost, armWholeCost, amdCost, intelCost, ocxlCost } from "./costcurves";
export type { CostCurve } from "./costcurves";
export { growthChart, growthTable, munmapGrowth, deviceCombinations, deviceCombinationsTable } from "./growth";
export type { GrowthPoint, DeviceCombinations } from "./growth";
