/**
 * Announcement delays (milliseconds after an item's first announcement) in a fixed-size
 * histogram, for the percentiles of a `propagation` line without keeping one number per peer:
 * 10,000 peers × 20 tx/s × 30 s would be 6 million numbers a window.
 *
 * Buckets: one per millisecond below LINEAR_MS (exact there), then logarithmic with ratio
 * BUCKET_RATIO up to the window. A percentile is reported as its bucket's geometric middle,
 * clamped to the smallest and largest delay seen (both kept exactly) and rounded to a whole ms.
 * Delays are counted in whole ms, so below LINEAR_MS a percentile is exact; above it the middle is
 * within √BUCKET_RATIO − 1 ≈ 1.49% of the true value, and with the rounding (0.5 ms) within 2% from
 * LINEAR_MS = 100 ms on: the error bound the README states ("≤ 2% or 1 ms, whichever is larger").
 * The percentile is nearest-rank: the smallest delay with at least p% of the delays at or below it.
 */

/** Delays under this many ms each have a bucket of their own: exact. */
export const LINEAR_MS = 100;
/** Each logarithmic bucket spans [lo, lo × BUCKET_RATIO): its middle is √1.03 − 1 ≈ 1.49% at most from any value in it. */
export const BUCKET_RATIO = 1.03;
const LOG_RATIO = Math.log(BUCKET_RATIO);

/** How many buckets hold delays 0..maxMs: LINEAR_MS exact ones and the logarithmic ones above. */
export function bucketCount(maxMs: number): number {
  return LINEAR_MS + (maxMs < LINEAR_MS ? 0 : Math.floor(Math.log(maxMs / LINEAR_MS) / LOG_RATIO) + 1);
}

/** The bucket of a delay (an integer ≥ 0, at most the histogram's maxMs). */
export function bucketOf(ms: number): number {
  if (ms < LINEAR_MS) return ms;
  if (ms <= TABLE_MS) return (table ??= bucketTable())[ms];
  return logBucket(ms);
}

function logBucket(ms: number): number {
  return LINEAR_MS + Math.floor(Math.log(ms / LINEAR_MS) / LOG_RATIO);
}

/**
 * Delays up to this many ms find their bucket in a table (2 bytes each: 120 kB, made once) rather
 * than by a logarithm: every announcement of `--emit propagation` needs one. The default window
 * (30 s) is within it; longer delays take the logarithm.
 */
export const TABLE_MS = 60_000;
let table: Uint16Array | undefined;

function bucketTable(): Uint16Array {
  const t = new Uint16Array(TABLE_MS + 1);
  for (let ms = 0; ms <= TABLE_MS; ms++) t[ms] = ms < LINEAR_MS ? ms : logBucket(ms);
  return t;
}

/** The value a bucket stands for: itself below LINEAR_MS, else the geometric middle of its span. */
export function bucketValue(bucket: number): number {
  if (bucket < LINEAR_MS) return bucket;
  return LINEAR_MS * BUCKET_RATIO ** (bucket - LINEAR_MS + 0.5);
}

export class DelayHistogram {
  private readonly counts: Uint32Array;
  private n = 0;
  private lo = Infinity;
  private hi = -Infinity;

  /** `maxMs`: the largest delay it will be given (larger ones are counted as maxMs). */
  constructor(readonly maxMs: number) {
    this.counts = new Uint32Array(bucketCount(maxMs));
  }

  /** Bytes this histogram holds (its counts), for the memory figures. */
  get bytes(): number {
    return this.counts.byteLength;
  }

  get count(): number {
    return this.n;
  }

  get max(): number {
    return this.hi;
  }

  add(ms: number): void {
    const v = this.clamp(ms);
    this.addIn(bucketOf(v), v);
  }

  /** A delay as add() counts it: whole ms, within 0..maxMs. */
  clamp(ms: number): number {
    return Math.min(this.maxMs, Math.max(0, Math.round(ms)));
  }

  /**
   * add() of a delay already clamped (`v`) whose bucket the caller worked out (bucketOf(v)): one
   * logarithm for several histograms of the same maxMs, as the tracker's per-item and per-network ones.
   */
  addIn(bucket: number, v: number): void {
    this.counts[bucket]++;
    this.n++;
    if (v < this.lo) this.lo = v;
    if (v > this.hi) this.hi = v;
  }

  /** The nearest-rank p-th percentile (0 < p ≤ 100), within the stated error; undefined when empty. */
  percentile(p: number): number | undefined {
    if (this.n === 0) return undefined;
    const rank = Math.max(1, Math.ceil((p / 100) * this.n));
    let seen = 0;
    for (let b = 0; b < this.counts.length; b++) {
      seen += this.counts[b];
      if (seen >= rank) return Math.round(Math.min(this.hi, Math.max(this.lo, bucketValue(b))));
    }
    return this.hi;
  }
}
