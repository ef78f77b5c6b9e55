/**
 * The blocks section's aggregates: `block` lines (how each came: rebuilt from a compact block,
 * what it lacked and how long that took, or downloaded whole; how many of its transactions were
 * never announced to the crawler, mempool.space's "unseen"; stale ones) and `reorg` lines (their
 * depth). Pure; every part bounded whatever the input.
 */
import { Histogram } from './bounded.js';
import { isRecord, nonNeg, num, type Json } from './fields.js';

/** Buckets of a rebuilt block's missing transactions (what getblocktxn asked for): 0 is its own. */
export const MISSING_BOUNDS: readonly number[] = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
/** Buckets of the share of a block's transactions (coinbase aside) never announced to the crawler, in percent. */
export const UNSEEN_PERCENT_BOUNDS: readonly number[] = [0, 1, 2, 5, 10, 20, 50, 100];
/** Buckets of a reorg's depth (headers that left the best chain). */
export const DEPTH_BOUNDS: readonly number[] = [1, 2, 3, 5, 10, 20, 100];

export class BlocksAggregate {
  blocks = 0;
  stale = 0;
  /** Downloaded whole (`compact: false`); those rebuilt are `missing.total` (a line from before `compact` existed counts in neither). */
  whole = 0;
  reorgs = 0;
  /** Of rebuilt blocks: the transactions asked for, and milliseconds from cmpctblock to block. */
  readonly missing = new Histogram(MISSING_BOUNDS);
  readonly rebuildMs = new Histogram();
  readonly unseenPercent = new Histogram(UNSEEN_PERCENT_BOUNDS);
  readonly reorgDepths = new Histogram(DEPTH_BOUNDS);

  /** A block or reorg line: its time, or undefined for a bad shape. */
  add(o: Json): number | undefined {
    const time = isRecord(o.seen) ? num(o.seen.time) : undefined;
    if (time === undefined) return undefined;
    if (o.event === 'reorg') {
      const depth = nonNeg(o.depth);
      if (depth === undefined) return undefined;
      this.reorgs++;
      this.reorgDepths.add(depth);
      return time;
    }
    this.blocks++;
    if (o.stale === true) this.stale++;
    const txs = nonNeg(o.tx_count);
    const unseen = nonNeg(o.unseen_txs);
    if (txs !== undefined && txs > 1 && unseen !== undefined) this.unseenPercent.add((100 * Math.min(unseen, txs - 1)) / (txs - 1));
    const c = o.compact;
    if (c === false) this.whole++;
    else if (isRecord(c)) {
      const missing = nonNeg(c.missing);
      const ms = nonNeg(c.ms);
      if (missing === undefined || ms === undefined) return time;
      this.missing.add(missing);
      this.rebuildMs.add(ms);
    }
    return time;
  }
}
