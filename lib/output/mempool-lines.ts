import type { Left } from '../mempool/view.js';
import { FEE_LEVELS, type Histogram } from '../mempool/template.js';
import { unixSeconds } from './lines.js';

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
  /** sat/vB; undefined when no transaction's fee is known. */
  readonly nextBlockFeerate: number | undefined;
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
    ...(s.nextBlockFeerate === undefined ? {} : { next_block_feerate: Math.round(s.nextBlockFeerate * 1000) / 1000 }),
  });
}
