/** Statistics the benchmarks and tests share, each defined once. */

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('the median of nothing');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The nearest-rank p-th percentile (0 < p ≤ 100) of a list: the smallest value with at least p% of
 * the list at or below it, as the crawler's propagation lines define it (lib/crawler/delay-histogram.ts);
 * NaN for an empty list.
 */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil((p / 100) * s.length)) - 1];
}
