/**
 * A tiny dependency-free SVG chart helper for notebook outputs (tslab.display.svg):
 * line charts (linear or logarithmic axes) and grouped bar charts. The output is plain
 * SVG text, so it renders in any Jupyter front end and stays in committed outputs.
 */
import { escapeHtml } from "./html";

export type Scale = "linear" | "log2" | "log10";

export interface ChartSeries {
  readonly name: string;
  /** [x, y] points; on a logarithmic axis, points with a value <= 0 are left out. */
  readonly points: readonly (readonly [number, number])[];
  readonly color?: string;
  readonly dashed?: boolean;
}

export interface ChartCommon {
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Pixel size of the whole picture (default 640 x 360). */
  readonly width?: number;
  readonly height?: number;
  /** id of the <svg> (keep it unique in a page). */
  readonly id?: string;
  readonly yScale?: Scale;
  readonly yFormat?: (v: number) => string;
}

export interface LineChartOptions extends ChartCommon {
  readonly series: readonly ChartSeries[];
  readonly xScale?: Scale;
  readonly xFormat?: (v: number) => string;
}

export interface BarChartOptions extends ChartCommon {
  readonly categories: readonly string[];
  readonly series: readonly { readonly name: string; readonly values: readonly number[]; readonly color?: string }[];
}

/** Okabe-Ito colours: distinguishable with the common colour-vision deficiencies. */
export const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];

/** 1234 -> "1234", 65536 -> "65.5K", 2**40 -> "1.1T". */
export function compactNumber(v: number): string {
  const a = Math.abs(v);
  if (a < 1e4) return String(Number(v.toPrecision(4)));
  const units: readonly (readonly [number, string])[] = [
    [1e12, "T"],
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "K"],
  ];
  for (const [u, s] of units) if (a >= u) return `${Number((v / u).toPrecision(3))}${s}`;
  return String(v);
}

/** Byte sizes: 4096 -> "4 KiB", 2**21 -> "2 MiB". */
export function byteSize(v: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let i = 0;
  let n = v;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${Number(n.toPrecision(3))} ${units[i]}`;
}

interface Axis {
  readonly toPx: (v: number) => number;
  readonly ticks: readonly number[];
}

function niceStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

function axis(scale: Scale, lo: number, hi: number, pxLo: number, pxHi: number): Axis {
  if (scale === "linear") {
    if (lo === hi) {
      lo = lo === 0 ? 0 : lo - Math.abs(lo) / 2;
      hi = hi === 0 ? 1 : hi + Math.abs(hi) / 2;
    }
    const step = niceStep(hi - lo, 6);
    const first = Math.floor(lo / step) * step;
    const last = Math.ceil(hi / step) * step;
    const ticks: number[] = [];
    for (let t = first; t <= last + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
    const toPx = (v: number) => pxLo + ((v - first) / (last - first)) * (pxHi - pxLo);
    return { toPx, ticks };
  }
  const base = scale === "log2" ? 2 : 10;
  const log = (v: number) => Math.log(v) / Math.log(base);
  let a = Math.floor(log(lo));
  let b = Math.ceil(log(hi));
  if (a === b) b = a + 1;
  const toPx = (v: number) => pxLo + ((log(v) - a) / (b - a)) * (pxHi - pxLo);
  const every = Math.max(1, Math.ceil((b - a) / 10));
  const ticks: number[] = [];
  for (let e = a; e <= b; e += every) ticks.push(base ** e);
  return { toPx, ticks };
}

function domain(values: number[], scale: Scale, fromZero: boolean): [number, number] {
  const vs = scale === "linear" ? values : values.filter((v) => v > 0);
  if (vs.length === 0) return scale === "linear" ? [0, 1] : [1, 10];
  let lo = Math.min(...vs);
  const hi = Math.max(...vs);
  if (scale === "linear" && fromZero && lo > 0) lo = 0;
  return [lo, hi];
}

const FONT = 'font-family="sans-serif" font-size="12"';

function frame(o: ChartCommon, w: number, h: number, legend: { name: string; color: string; dashed?: boolean }[]): { head: string; plot: { x0: number; x1: number; y0: number; y1: number } } {
  const top = (o.title ? 28 : 10) + (legend.length ? 22 : 0);
  const plot = { x0: 72, x1: w - 20, y0: h - (o.xLabel ? 52 : 36), y1: top + 8 };
  const parts: string[] = [`<rect x="0" y="0" width="${w}" height="${h}" fill="white"/>`];
  if (o.title) parts.push(`<text x="${w / 2}" y="20" text-anchor="middle" font-family="sans-serif" font-size="15" font-weight="bold">${escapeHtml(o.title)}</text>`);
  let lx = plot.x0;
  const ly = (o.title ? 28 : 10) + 12;
  for (const l of legend) {
    const dash = l.dashed ? ' stroke-dasharray="6 4"' : "";
    parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="${l.color}" stroke-width="3"${dash}/>`);
    parts.push(`<text x="${lx + 28}" y="${ly + 4}" ${FONT}>${escapeHtml(l.name)}</text>`);
    lx += 40 + l.name.length * 7;
  }
  if (o.xLabel) parts.push(`<text x="${(plot.x0 + plot.x1) / 2}" y="${h - 10}" text-anchor="middle" ${FONT}>${escapeHtml(o.xLabel)}</text>`);
  if (o.yLabel) {
    const cy = (plot.y0 + plot.y1) / 2;
    parts.push(`<text x="16" y="${cy}" text-anchor="middle" transform="rotate(-90 16 ${cy})" ${FONT}>${escapeHtml(o.yLabel)}</text>`);
  }
  return { head: parts.join(""), plot };
}

function yAxis(o: ChartCommon, values: number[], plot: { x0: number; x1: number; y0: number; y1: number }): { ay: Axis; svg: string } {
  const scale = o.yScale ?? "linear";
  const [lo, hi] = domain(values, scale, true);
  const ay = axis(scale, lo, hi, plot.y0, plot.y1);
  const fmt = o.yFormat ?? compactNumber;
  const parts: string[] = [];
  for (const t of ay.ticks) {
    const y = ay.toPx(t);
    parts.push(`<line x1="${plot.x0}" y1="${y}" x2="${plot.x1}" y2="${y}" stroke="#e3e3e3"/>`);
    parts.push(`<text x="${plot.x0 - 6}" y="${y + 4}" text-anchor="end" ${FONT}>${escapeHtml(fmt(t))}</text>`);
  }
  parts.push(`<line x1="${plot.x0}" y1="${plot.y0}" x2="${plot.x0}" y2="${plot.y1}" stroke="#444"/>`);
  parts.push(`<line x1="${plot.x0}" y1="${plot.y0}" x2="${plot.x1}" y2="${plot.y0}" stroke="#444"/>`);
  return { ay, svg: parts.join("") };
}

function svgOpen(o: ChartCommon, w: number, h: number): string {
  const id = o.id ? ` id="${escapeHtml(o.id)}"` : "";
  const label = escapeHtml(o.title ?? "chart");
  return `<svg${id} xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${label}">`;
}

const r2 = (n: number) => Math.round(n * 100) / 100;

/** A line chart with markers; each series one colour. */
export function lineChart(o: LineChartOptions): string {
  const w = o.width ?? 640;
  const h = o.height ?? 360;
  const xs = o.xScale ?? "linear";
  const ys = o.yScale ?? "linear";
  const keep = (p: readonly [number, number]) => (xs === "linear" || p[0] > 0) && (ys === "linear" || p[1] > 0);
  const series = o.series.map((s, i) => ({ ...s, color: s.color ?? PALETTE[i % PALETTE.length]!, points: s.points.filter(keep) }));
  const { head, plot } = frame(o, w, h, series);
  const { ay, svg: ySvg } = yAxis(o, series.flatMap((s) => s.points.map((p) => p[1])), plot);
  const [xlo, xhi] = domain(series.flatMap((s) => s.points.map((p) => p[0])), xs, false);
  const ax = axis(xs, xlo, xhi, plot.x0, plot.x1);
  const xfmt = o.xFormat ?? compactNumber;
  const parts: string[] = [svgOpen(o, w, h), head, ySvg];
  for (const t of ax.ticks) {
    const x = r2(ax.toPx(t));
    parts.push(`<line x1="${x}" y1="${plot.y0}" x2="${x}" y2="${plot.y0 + 5}" stroke="#444"/>`);
    parts.push(`<text x="${x}" y="${plot.y0 + 18}" text-anchor="middle" ${FONT}>${escapeHtml(xfmt(t))}</text>`);
  }
  for (const s of series) {
    if (s.points.length === 0) continue;
    const pts = s.points.map((p) => `${r2(ax.toPx(p[0]))},${r2(ay.toPx(p[1]))}`);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : "";
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2.5"${dash} points="${pts.join(" ")}"><title>${escapeHtml(s.name)}</title></polyline>`);
    for (const p of s.points) {
      parts.push(
        `<circle cx="${r2(ax.toPx(p[0]))}" cy="${r2(ay.toPx(p[1]))}" r="3.5" fill="${s.color}"><title>${escapeHtml(`${s.name}: ${xfmt(p[0])} -> ${(o.yFormat ?? compactNumber)(p[1])}`)}</title></circle>`,
      );
    }
  }
  parts.push("</svg>");
  return parts.join("");
}

/** Grouped bars: one group per category, one bar per series. */
export function barChart(o: BarChartOptions): string {
  const w = o.width ?? 640;
  const h = o.height ?? 360;
  const series = o.series.map((s, i) => ({ ...s, color: s.color ?? PALETTE[i % PALETTE.length]! }));
  const { head, plot } = frame(o, w, h, series.length > 1 ? series : []);
  const ys = o.yScale ?? "linear";
  const { ay, svg: ySvg } = yAxis(o, series.flatMap((s) => [...s.values]), plot);
  const parts: string[] = [svgOpen(o, w, h), head, ySvg];
  const n = Math.max(1, o.categories.length);
  const groupW = (plot.x1 - plot.x0) / n;
  const barW = (groupW * 0.8) / Math.max(1, series.length);
  const base = ys === "linear" ? ay.toPx(0 < ay.ticks[0]! ? ay.ticks[0]! : 0) : plot.y0;
  const fmt = o.yFormat ?? compactNumber;
  o.categories.forEach((c, ci) => {
    const gx = plot.x0 + ci * groupW;
    parts.push(`<text x="${r2(gx + groupW / 2)}" y="${plot.y0 + 18}" text-anchor="middle" ${FONT}>${escapeHtml(c)}</text>`);
    series.forEach((s, si) => {
      const v = s.values[ci];
      if (v === undefined || (ys !== "linear" && v <= 0)) return;
      const x = gx + groupW * 0.1 + si * barW;
      const y = ay.toPx(v);
      const top = Math.min(y, base);
      parts.push(
        `<rect x="${r2(x)}" y="${r2(top)}" width="${r2(barW * 0.92)}" height="${r2(Math.abs(base - y))}" fill="${s.color}"><title>${escapeHtml(`${s.name}, ${c}: ${fmt(v)}`)}</title></rect>`,
      );
    });
  });
  parts.push("</svg>");
  return parts.join("");
}
