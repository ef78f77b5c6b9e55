/**
 * The report's aggregates, each bounded whatever the input's size: a histogram with fixed buckets,
 * a counter map with a fixed number of keys, a time series with a fixed number of buckets. Pure.
 */

/**
 * Bucket upper bounds of the log histogram: the R10 series (1, 1.25, 1.6, 2, 2.5, 3.15, 4, 5,
 * 6.3, 8 times each power of ten), from 1 up to 10^7: ten buckets a decade, each at most ~26%
 * wider than the one below. Values are in the chart's unit (ms, s); 10^7 ms is 2.8 h.
 */
const R10 = [1, 1.25, 1.6, 2, 2.5, 3.15, 4, 5, 6.3, 8] as const;
/** Decades covered by the log histogram. */
export const LOG_DECADES = 7;
export const LOG_BOUNDS: readonly number[] = [
  0,
  ...Array.from({ length: LOG_DECADES * R10.length }, (_, i) => Number((R10[i % R10.length] * 10 ** Math.floor(i / R10.length)).toPrecision(3))),
  10 ** LOG_DECADES,
];

/** How many values fell at or below each of `bounds` (and above the one before); the last bucket holds what is above all bounds. */
export class Histogram {
  readonly counts: number[];
  total = 0;

  constructor(readonly bounds: readonly number[] = LOG_BOUNDS) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  /** The bucket of `v`: the first bound ≥ v (binary search), or the overflow bucket. */
  bucketOf(v: number): number {
    let lo = 0;
    let hi = this.bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.bounds[mid] >= v) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  add(v: number, n = 1): void {
    if (!Number.isFinite(v) || v < 0) return;
    this.counts[this.bucketOf(v)] += n;
    this.total += n;
  }

  addAll(h: Histogram): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += h.counts[i];
    this.total += h.total;
  }

  /**
   * The q-quantile (0 < q ≤ 1) as the upper bound of the bucket holding the ⌈q·n⌉-th smallest value
   * (so "p90 ≤ 250 ms"); Infinity when it is in the overflow bucket; undefined when empty.
   */
  quantile(q: number): number | undefined {
    if (this.total === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return i < this.bounds.length ? this.bounds[i] : Infinity;
    }
    return Infinity;
  }

  /** Non-empty buckets as [upper bound, count] (Infinity for the overflow bucket). */
  rows(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    this.counts.forEach((c, i) => {
      if (c > 0) out.push([i < this.bounds.length ? this.bounds[i] : Infinity, c]);
    });
    return out;
  }

  /** The cumulative share at each non-empty bucket's upper bound: [bound, fraction ≤ it]. */
  cdf(): Array<[number, number]> {
    let seen = 0;
    return this.rows().map(([b, c]) => {
      seen += c;
      return [b, seen / this.total];
    });
  }
}

/** The key that stands for every key past a counter's bound. */
export const OTHER = '(other)';

/**
 * Counts per key, at most `maxKeys` keys: past that, new keys are counted under OTHER, so the
 * counts stay exact for the first keys and the total stays exact.
 */
export class Counter {
  readonly counts = new Map<string, number>();
  total = 0;

  constructor(readonly maxKeys: number) {}

  add(key: string, n = 1): void {
    const k = this.counts.has(key) || this.counts.size < this.maxKeys ? key : OTHER;
    this.counts.set(k, (this.counts.get(k) ?? 0) + n);
    this.total += n;
  }

  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** The `n` largest counts, largest first (ties by key), with the rest summed as OTHER. */
  top(n: number): Array<[string, number]> {
    const sorted = [...this.counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const head = sorted.filter(([k]) => k !== OTHER).slice(0, n);
    const rest = this.total - head.reduce((s, [, c]) => s + c, 0);
    return rest > 0 ? [...head, [OTHER, rest]] : head;
  }
}

/**
 * Values per time bucket, at most `maxBuckets` buckets: the bucket width starts at `widthS`
 * seconds and doubles (neighbouring buckets merged) whenever the span would need more, so a day
 * of lines and a year of them cost the same.
 */
export class TimeSeries<T> {
  private buckets = new Map<number, T>();
  private lo = 0;
  private hi = 0;
  widthS: number;

  constructor(
    widthS: number,
    readonly maxBuckets: number,
    private readonly make: () => T,
    private readonly merge: (into: T, from: T) => void,
  ) {
    this.widthS = widthS;
  }

  /** The bucket for unix time `t` (seconds), made if new. */
  at(t: number): T {
    let key = Math.floor(t / this.widthS);
    const b = this.buckets.get(key);
    if (b !== undefined) return b;
    // The span from the earliest to the latest bucket stays within maxBuckets (so does their count).
    while (this.buckets.size > 0 && Math.max(this.hi, key) - Math.min(this.lo, key) + 1 > this.maxBuckets) {
      this.coarsen();
      key = Math.floor(t / this.widthS);
    }
    let made = this.buckets.get(key);
    if (made === undefined) {
      made = this.make();
      this.buckets.set(key, made);
      this.lo = this.buckets.size === 1 ? key : Math.min(this.lo, key);
      this.hi = this.buckets.size === 1 ? key : Math.max(this.hi, key);
    }
    return made;
  }

  get size(): number {
    return this.buckets.size;
  }

  /** The buckets in time order, as [start (unix seconds), value]. */
  rows(): Array<[number, T]> {
    return [...this.buckets].sort((a, b) => a[0] - b[0]).map(([k, v]) => [k * this.widthS, v]);
  }

  private coarsen(): void {
    const next = new Map<number, T>();
    for (const [k, v] of this.buckets) {
      const nk = Math.floor(k / 2);
      const into = next.get(nk);
      if (into === undefined) next.set(nk, v);
      else this.merge(into, v);
    }
    this.buckets = next;
    this.widthS *= 2;
    this.lo = Math.floor(this.lo / 2);
    this.hi = Math.floor(this.hi / 2);
  }
}
