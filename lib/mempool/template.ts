import { ancestorsOf, type Graph } from './graph.js';
import type { ViewEntry } from './view.js';

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

export interface Histogram {
  /** Per level: transactions, and their vsize. */
  readonly count: number[];
  readonly vsize: number[];
}

export function feerateHistogram(entries: Iterable<ViewEntry>): Histogram {
  const count = new Array<number>(FEE_LEVELS.length).fill(0);
  const vsize = new Array<number>(FEE_LEVELS.length).fill(0);
  for (const e of entries) {
    if (e.fee === undefined) continue;
    const rate = e.fee / e.vsize;
    let lo = 0;
    let hi = FEE_LEVELS.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (FEE_LEVELS[mid] <= rate) lo = mid;
      else hi = mid - 1;
    }
    count[lo]++;
    vsize[lo] += e.vsize;
  }
  return { count, vsize };
}

/**
 * The lowest package feerate a next block would include, over the transactions with a known fee
 * whose in-view ancestors' fees are all known: packages (a transaction with its not yet included
 * ancestors) taken greedily by ancestor feerate until TEMPLATE_WEIGHT, as Core's BlockAssembler
 * (node/miner.cpp addPackageTxs) does, without its re-scoring of a package whose ancestor an
 * earlier package took (its score is then read again when it is reached). Undefined when none.
 */
export function nextBlockMinFeerate(g: Graph<ViewEntry>): number | undefined {
  interface Candidate {
    readonly e: ViewEntry;
    readonly anc: ViewEntry[];
    readonly score: number;
  }
  const candidates: Candidate[] = [];
  for (const e of g.entries.values()) {
    if (e.fee === undefined) continue;
    const anc = e.spends.length > 0 ? ancestorsOf(g, e) : [];
    if (anc === undefined || anc.some((a) => a.fee === undefined)) continue;
    const fee = anc.reduce((s, a) => s + (a.fee ?? 0), e.fee);
    const weight = anc.reduce((s, a) => s + a.vsize, e.vsize);
    candidates.push({ e, anc, score: fee / weight });
  }
  candidates.sort((a, b) => b.score - a.score);
  const included = new Set<ViewEntry>();
  let weight = 0;
  let lowest: number | undefined;
  for (const c of candidates) {
    if (included.has(c.e)) continue;
    const pkg = [c.e, ...c.anc.filter((a) => !included.has(a))];
    const w = pkg.reduce((s, p) => s + p.weight, 0);
    if (weight + w > TEMPLATE_WEIGHT) continue;
    const rate = pkg.reduce((s, p) => s + (p.fee ?? 0), 0) / pkg.reduce((s, p) => s + p.vsize, 0);
    for (const p of pkg) included.add(p);
    weight += w;
    lowest = lowest === undefined ? rate : Math.min(lowest, rate);
  }
  return lowest;
}
