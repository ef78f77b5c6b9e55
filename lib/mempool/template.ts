import { ancestorsOf } from './graph.js';
import { NONE, type TxStore } from './store.js';

/**
 * Feerate levels (sat/vB) of Jochen Hoenicke's mempool charts (https://jochen-hoenicke.de/queue/),
 * from his published source (github.com/jhoenicke/mempool, mempool_sql.py FEELIMIT; its first
 * level, 0.0001, is written 0 here). Bucket i holds feerates in [FEE_LEVELS[i], FEE_LEVELS[i+1]).
 */
export const FEE_LEVELS: readonly number[] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 17, 20, 25, 30, 40, 50, 60, 70, 80, 100, 120, 140, 170, 200, 250, 300, 400, 500, 600, 700, 800, 1000, 1200, 1400, 1700,
  2000, 2500, 3000, 4000, 5000, 6000, 7000, 8000, 10000,
];

/** MAX_BLOCK_WEIGHT (consensus/consensus.h) less DEFAULT_BLOCK_RESERVED_WEIGHT (policy/policy.h, Core 29+: 8,000 for header, tx count and coinbase). */
export const TEMPLATE_WEIGHT = 4_000_000 - 8_000;
/** node/miner.cpp addPackageTxs: give up after this many packages in a row that do not fit, once the block is within BLOCK_FULL_ENOUGH_WEIGHT_DELTA of full. */
const MAX_CONSECUTIVE_FAILURES = 1000;
const BLOCK_FULL_ENOUGH_WEIGHT_DELTA = 4000;

export interface Histogram {
  /** Per level: transactions, and their vsize. */
  readonly count: number[];
  readonly vsize: number[];
}

export function feerateHistogram(s: TxStore): Histogram {
  const count = new Array<number>(FEE_LEVELS.length).fill(0);
  const vsize = new Array<number>(FEE_LEVELS.length).fill(0);
  for (let e = s.head; e !== NONE; e = s.next[e]) {
    if (!s.live(e)) continue; // a confirmed one kept for its outputs (TxStore.keep)
    const fee = s.fee[e];
    if (Number.isNaN(fee)) continue;
    const rate = fee / s.vsize[e];
    let lo = 0;
    let hi = FEE_LEVELS.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (FEE_LEVELS[mid] <= rate) lo = mid;
      else hi = mid - 1;
    }
    count[lo]++;
    vsize[lo] += s.vsize[e];
  }
  return { count, vsize };
}

/** A max-heap of (score, candidate) pairs; stale pairs are skipped by the reader. */
class ScoreHeap {
  private readonly score: number[] = [];
  private readonly item: number[] = [];
  get size(): number {
    return this.item.length;
  }
  push(score: number, item: number): void {
    let i = this.item.length;
    this.score.push(score);
    this.item.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.score[p] >= score) break;
      this.score[i] = this.score[p];
      this.item[i] = this.item[p];
      i = p;
    }
    this.score[i] = score;
    this.item[i] = item;
  }
  /** The top pair's item and score, removed. */
  pop(): [number, number] {
    const top: [number, number] = [this.item[0], this.score[0]];
    const lastS = this.score.pop() as number;
    const lastI = this.item.pop() as number;
    const n = this.item.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && this.score[c + 1] > this.score[c]) c++;
        if (this.score[c] <= lastS) break;
        this.score[i] = this.score[c];
        this.item[i] = this.item[c];
        i = c;
      }
      this.score[i] = lastS;
      this.item[i] = lastI;
    }
    return top;
  }
}

/**
 * The lowest package feerate a next block would include, over the transactions with a known fee
 * whose in-view ancestors' fees are all known, as Core's BlockAssembler (node/miner.cpp
 * addPackageTxs) builds a block: the package (a transaction with its not yet included ancestors)
 * of highest ancestor feerate first, until TEMPLATE_WEIGHT; once a package is in, each of its
 * transactions' descendants is scored again without it (Core's mapModifiedTx, filled by
 * UpdatePackagesForAdded), so a child whose parent went in competes with its own feerate. Work:
 * each candidate has at most ANCESTORS_MAX ancestors, so at most 64 re-scorings a candidate.
 * Undefined when nothing is included. `maxWeight`: the block's room (tests make it small).
 */
export function nextBlockMinFeerate(s: TxStore, maxWeight = TEMPLATE_WEIGHT): number | undefined {
  // Candidate c: its slot, its not yet included ancestors (with their sums), its descendant candidates.
  const slots: number[] = [];
  const ancs: number[][] = [];
  const fee: number[] = [];
  const vsize: number[] = [];
  const weight: number[] = [];
  const indexOf = new Map<number, number>();
  for (let e = s.head; e !== NONE; e = s.next[e]) {
    if (!s.live(e)) continue; // a confirmed one kept for its outputs (TxStore.keep)
    if (Number.isNaN(s.fee[e])) continue;
    const anc = s.nIn[e] > 0 ? ancestorsOf(s, e) : [];
    if (anc === undefined || anc.some((a) => Number.isNaN(s.fee[a]))) continue;
    indexOf.set(e, slots.length);
    slots.push(e);
    ancs.push(anc);
    fee.push(anc.reduce((t, a) => t + s.fee[a], s.fee[e]));
    vsize.push(anc.reduce((t, a) => t + s.vsize[a], s.vsize[e]));
    weight.push(anc.reduce((t, a) => t + s.weight[a], s.weight[e]));
  }
  const descendants = new Map<number, number[]>();
  const heap = new ScoreHeap();
  slots.forEach((_slot, c) => {
    for (const a of ancs[c]) {
      const d = descendants.get(a);
      if (d === undefined) descendants.set(a, [c]);
      else d.push(c);
    }
    heap.push(fee[c] / vsize[c], c);
  });
  const included = new Set<number>();
  let blockWeight = 0;
  let failures = 0;
  let lowest: number | undefined;
  while (heap.size > 0) {
    const [c, score] = heap.pop();
    // Stale: already in, or scored again since this pair was pushed.
    if (included.has(slots[c]) || score !== fee[c] / vsize[c]) continue;
    if (blockWeight + weight[c] > maxWeight) {
      if (++failures > MAX_CONSECUTIVE_FAILURES && blockWeight > maxWeight - BLOCK_FULL_ENOUGH_WEIGHT_DELTA) break;
      continue;
    }
    failures = 0;
    blockWeight += weight[c];
    lowest = lowest === undefined ? score : Math.min(lowest, score);
    for (const p of [slots[c], ...ancs[c]]) {
      if (included.has(p)) continue;
      included.add(p);
      // UpdatePackagesForAdded: p's descendants lose it from their packages.
      for (const d of descendants.get(p) ?? []) {
        if (included.has(slots[d])) continue;
        fee[d] -= s.fee[p];
        vsize[d] -= s.vsize[p];
        weight[d] -= s.weight[p];
        heap.push(fee[d] / vsize[d], d);
      }
    }
  }
  return lowest;
}
