import type { Left } from '../mempool/view.js';
import { FEE_LEVELS, type Histogram } from '../mempool/template.js';
import type { ProjectedBlock } from '../mempool/projected.js';
import { unixSeconds } from './lines.js';
import { rate3 } from '../tx/view.js';

/**
 * The mempool monitor's lines (`--emit replaced,confirmed,evicted,mempool`). Fees are satoshis and
 * present only when known (every input's value seen), never 0 for unknown.
 */

/** `event: "replaced"`, or `event: "evicted"` (reason conflict, expiry or size): one transaction that left the view. */
export function leftLine(l: Left, timeMs: number): string {
  const e = l.entry;
  if (l.reason === 'replaced') {
    return JSON.stringify({
      event: 'replaced',
      txid: e.txid,
      by: l.by,
      ...(l.ancestor === undefined ? {} : { ancestor: l.ancestor }),
      time: unixSeconds(timeMs),
      rbf_signaled: l.rbfSignaled === true,
      ...(e.fee === undefined ? {} : { fee: e.fee }),
      ...(l.byFee === undefined ? {} : { by_fee: l.byFee }),
    });
  }
  return JSON.stringify({
    event: 'evicted',
    txid: e.txid,
    reason: l.reason,
    ...(l.by === undefined ? {} : { by: l.by }),
    ...(l.ancestor === undefined ? {} : { ancestor: l.ancestor }),
    time: unixSeconds(timeMs),
    ...(e.fee === undefined ? {} : { fee: e.fee }),
    mempool_s: Math.max(0, Math.round((timeMs - e.time) / 1000)),
  });
}

/** `event: "confirmed"`: a view transaction a block confirmed; `mempool_s` from first seen to the block's arrival. */
export function confirmedLine(txid: string, seenMs: number, block: string, height: number | undefined, timeMs: number): string {
  return JSON.stringify({
    event: 'confirmed',
    txid,
    block,
    ...(height === undefined ? {} : { height }),
    time: unixSeconds(timeMs),
    mempool_s: Math.max(0, Math.round((timeMs - seenMs) / 1000)),
  });
}

/** What a mempool line counts. */
export interface MempoolLineStats {
  readonly count: number;
  readonly vsize: number;
  /** Seconds since the oldest entry was seen; 0 when empty. */
  readonly oldestAge: number;
  /** Transactions with a known fee, and their vsize. */
  readonly known: { readonly count: number; readonly vsize: number };
  readonly histogram: Histogram;
  /** The projected blocks (projected.ts): the first is the next block; undefined past the template's bound. */
  readonly projected: readonly ProjectedBlock[] | undefined;
}

/** A projected block as mempool.space's /api/v1/fees/mempool-blocks gives one (nTx, blockVSize, totalFees, medianFee, feeRange), in this project's snake case. */
function projectedJson(b: ProjectedBlock): object {
  return {
    n_tx: b.count,
    vsize: b.vsize,
    total_fee: b.fee,
    median_feerate: rate3(b.medianFeerate),
    feerate_range: b.feerateRange.map(rate3),
  };
}

export function mempoolLine(s: MempoolLineStats, timeMs: number): string {
  // [feerate, vsize] as mempool.space's fee_histogram (its /api/mempool), then the count.
  const hist: [number, number, number][] = FEE_LEVELS.map((level, i) => [level, s.histogram.vsize[i], s.histogram.count[i]]);
  return JSON.stringify({
    event: 'mempool',
    time: unixSeconds(timeMs),
    count: s.count,
    vsize: s.vsize,
    oldest_age: s.oldestAge,
    known_fee_count: s.known.count,
    known_fee_vsize: s.known.vsize,
    fee_histogram: hist,
    // The next block's lowest feerate: its first projected block's.
    ...(s.projected?.[0]?.feerateRange[0] === undefined ? {} : { next_block_feerate: rate3(s.projected[0].feerateRange[0]) }),
    ...(s.projected === undefined ? {} : { projected_blocks: s.projected.map(projectedJson) }),
  });
}
