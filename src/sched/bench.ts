/** Timing helper for `npm run bench`: median wall time over repeats. */

export interface MeasureOptions {
  /** Timed runs (default 5). */
  readonly repeat?: number;
  /** Untimed runs first, so the JIT has settled (default 1). */
  readonly warmup?: number;
}

/** Median milliseconds of `fn` over `repeat` runs; the median shrugs off a GC pause. */
export function measure(fn: () => void, opts: MeasureOptions = {}): number {
  const repeat = Math.max(1, opts.repeat ?? 5);
  for (let i = 0; i < (opts.warmup ?? 1); i++) fn();
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const mid = repeat >> 1;
  return repeat % 2 === 1 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
}
