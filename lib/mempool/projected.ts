import { assemble, TEMPLATE_ANCESTRY_MAX, TEMPLATE_WEIGHT } from './template.js';
import type { TxStore } from './store.js';

/** Projected blocks a mempool line shows: as many as mempool.space's (its MEMPOOL_BLOCKS_AMOUNT; its last is everything else, which the line's known_fee_count and known_fee_vsize give here). */
export const PROJECTED_BLOCKS = 8;
/** The percentiles of `feerateRange` between its minimum and maximum: mempool.space's feeRange (backend common.ts, calcEffectiveFeeStatistics). */
export const RANGE_PERCENTILES: readonly number[] = [10, 25, 50, 75, 90];

/**
 * A block the view's transactions with a known fee would make, as mempool.space's projected
 * blocks (its /api/v1/fees/mempool-blocks): each transaction at its effective feerate, the
 * feerate of the package it went in with (template.ts assemble()).
 */
export interface ProjectedBlock {
  readonly count: number;
  readonly vsize: number;
  readonly weight: number;
  /** Satoshis. */
  readonly fee: number;
  /** sat/vB at the middle of the block's weight, its transactions ordered by effective feerate. */
  readonly medianFeerate: number;
  /** sat/vB: the lowest, the RANGE_PERCENTILES (of its transactions, by count), the highest. */
  readonly feerateRange: readonly number[];
}

/**
 * The next `blocks` blocks (fewer if they hold everything), the first the next block (template.ts
 * nextBlockMinFeerate's), over the transactions with a known fee whose in-view ancestors' fees are
 * known; empty when no fee is known; undefined past `ancestryMax` ancestor entries (as the next
 * block's feerate).
 */
export function projectedBlocks(s: TxStore, blocks = PROJECTED_BLOCKS, maxWeight = TEMPLATE_WEIGHT, ancestryMax = TEMPLATE_ANCESTRY_MAX): ProjectedBlock[] | undefined {
  const a = assemble(s, blocks, maxWeight, ancestryMax);
  if (a === undefined) return undefined;
  // The candidates of each block, by counting (block order, then candidate order).
  const at = new Int32Array(blocks + 1);
  for (let c = 0; c < a.n; c++) if (a.block[c] >= 0) at[a.block[c] + 1]++;
  for (let b = 0; b < blocks; b++) at[b + 1] += at[b];
  const members = new Int32Array(at[blocks]);
  const fill = at.slice(0, blocks);
  for (let c = 0; c < a.n; c++) if (a.block[c] >= 0) members[fill[a.block[c]]++] = c;
  const out: ProjectedBlock[] = [];
  // The blocks that hold something come first (assemble() stops at one that takes nothing).
  for (let b = 0; b < blocks && at[b + 1] > at[b]; b++) {
    const m = members.subarray(at[b], at[b + 1]).sort((x, y) => a.rate[x] - a.rate[y] || x - y);
    let vsize = 0;
    let weight = 0;
    let fee = 0;
    for (const c of m) {
      vsize += s.vsize[a.slot[c]];
      weight += s.weight[a.slot[c]];
      fee += s.fee[a.slot[c]];
    }
    // The transaction across the middle of the block's weight (mempool.space averages the 10,000 weight units about 2,000,000 of a full block).
    let median = a.rate[m[m.length - 1]];
    for (let k = 0, w = 0; k < m.length; k++) {
      w += s.weight[a.slot[m[k]]];
      if (2 * w >= weight) {
        median = a.rate[m[k]];
        break;
      }
    }
    const nth = (p: number): number => a.rate[m[Math.floor(((m.length - 1) * p) / 100)]];
    out.push({ count: m.length, vsize, weight, fee, medianFeerate: median, feerateRange: [a.rate[m[0]], ...RANGE_PERCENTILES.map(nth), a.rate[m[m.length - 1]]] });
  }
  return out;
}
