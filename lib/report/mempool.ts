/**
 * The mempool section's aggregates: `mempool` lines (count, vsize and, when present, a feerate
 * histogram and the projected blocks' medians), `replaced`, `evicted` and `confirmed` lines. Pure.
 */
import { Counter, Histogram, TimeSeries } from './bounded.js';
import { MAX_NAME_CHARS, nonNeg, num, str, type Json } from './fields.js';
import { MAX_TIME_BUCKETS, TIME_BUCKET_S } from './propagation.js';

/**
 * Feerate bands (sat/vB), the lower bound of each: mempool.space's fee levels, from Core's
 * DEFAULT_MIN_RELAY_TX_FEE (policy.h: 1 sat/vB; 0.1 since v29) up to 2000.
 */
export const FEERATE_BANDS: readonly number[] = [
  0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30, 40, 50, 60, 70, 80, 90, 100, 125, 150, 175, 200, 250, 300, 350, 400, 500, 600, 700, 800, 1000, 1200, 1400, 1700,
  2000,
];
/** Projected blocks of a line read at most (a longer list is cut there): the crawler prints 8 (lib/mempool/projected.ts). */
export const MAX_PROJECTED = 8;
/** Entries of a line's feerate histogram read at most (a longer one is cut there). */
export const MAX_HISTOGRAM_ENTRIES = 1_000;
/** Replacements and evictions are counted per hour (merged into wider buckets past MAX_TIME_BUCKETS). */
export const HOUR_S = 3600;
/** Distinct eviction reasons counted one by one (conflict, expiry, size are the known ones). */
export const MAX_EVICT_REASONS = 16;

/** The band of a feerate: the last band whose lower bound is ≤ it. */
export function bandOf(feerate: number): number {
  let i = 0;
  while (i + 1 < FEERATE_BANDS.length && FEERATE_BANDS[i + 1] <= feerate) i++;
  return i;
}

export interface MempoolSample {
  time: number;
  count: number;
  vsize: number;
  /** vB per feerate band, when the line had a histogram. */
  bands?: number[];
  /** The projected blocks' median feerates (sat/vB), next block first, when the line had them. */
  medians?: number[];
}

export interface HourCounts {
  replaced: number;
  evicted: number;
}

/** `[[feerate, vsize], …]` → vB per band; undefined when not such a list. */
function bandsOf(v: unknown): number[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const bands = new Array<number>(FEERATE_BANDS.length).fill(0);
  for (const entry of v.slice(0, MAX_HISTOGRAM_ENTRIES) as unknown[]) {
    if (!Array.isArray(entry) || entry.length < 2) return undefined;
    const feerate = nonNeg(entry[0]);
    const vsize = nonNeg(entry[1]);
    if (feerate === undefined || vsize === undefined) return undefined;
    bands[bandOf(feerate)] += vsize;
  }
  return bands;
}

/** `[{median_feerate}, …]` → the medians (up to MAX_PROJECTED); undefined when not such a list. */
function mediansOf(v: unknown): number[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const medians: number[] = [];
  for (const b of v.slice(0, MAX_PROJECTED) as unknown[]) {
    const m = typeof b === 'object' && b !== null ? nonNeg((b as Json).median_feerate) : undefined;
    if (m === undefined) return undefined;
    medians.push(m);
  }
  return medians;
}

export class MempoolAggregate {
  /** Per time bucket, the latest mempool line in it. */
  readonly samples = new TimeSeries<MempoolSample>(TIME_BUCKET_S, MAX_TIME_BUCKETS, () => ({ time: -Infinity, count: 0, vsize: 0 }), (a, b) => {
    if (b.time > a.time) Object.assign(a, b);
  });
  readonly perHour = new TimeSeries<HourCounts>(HOUR_S, MAX_TIME_BUCKETS, () => ({ replaced: 0, evicted: 0 }), (a, b) => {
    a.replaced += b.replaced;
    a.evicted += b.evicted;
  });
  readonly evictReasons = new Counter(MAX_EVICT_REASONS);
  /** Replacements whose original signalled BIP 125 replaceability. */
  rbfSignaled = 0;
  replaced = 0;
  /** Seconds from first seen to the confirming block. */
  readonly toConfirm = new Histogram();
  withHistogram = 0;

  /** A mempool-kind line (mempool, replaced, evicted, confirmed): its time, or undefined for a bad shape. */
  add(o: Json): number | undefined {
    const time = num(o.time);
    if (time === undefined) return undefined;
    switch (o.event) {
      case 'mempool':
        return this.addSample(o, time);
      case 'replaced':
        if (str(o.txid, 64) === undefined) return undefined;
        this.replaced++;
        if (o.rbf_signaled === true) this.rbfSignaled++;
        this.perHour.at(time).replaced++;
        return time;
      case 'evicted': {
        const reason = str(o.reason, MAX_NAME_CHARS);
        if (reason === undefined) return undefined;
        this.evictReasons.add(reason);
        this.perHour.at(time).evicted++;
        return time;
      }
      case 'confirmed': {
        const s = nonNeg(o.mempool_s);
        if (s === undefined) return undefined;
        this.toConfirm.add(s);
        return time;
      }
      default:
        return undefined;
    }
  }

  private addSample(o: Json, time: number): number | undefined {
    const count = nonNeg(o.count);
    const vsize = nonNeg(o.vsize);
    if (count === undefined || vsize === undefined) return undefined;
    const bands = bandsOf(o.feerate_histogram ?? o.fee_histogram);
    const medians = mediansOf(o.projected_blocks);
    const s = this.samples.at(time);
    if (time >= s.time) {
      s.time = time;
      s.count = count;
      s.vsize = vsize;
      if (bands === undefined) delete s.bands;
      else s.bands = bands;
      if (medians === undefined) delete s.medians;
      else s.medians = medians;
    }
    if (bands !== undefined) this.withHistogram++;
    return time;
  }
}
