/**
 * The next block's lowest package feerate computed plainly, for checking lib/mempool/template.ts:
 * the same greedy selection (Core's addPackageTxs as that file describes it: highest ancestor
 * feerate first, a package's descendants scored again once it is in, of equal scores the smaller
 * txid first), with a list scanned for its best pair instead of a heap, and Maps and arrays
 * instead of flattened typed arrays. Quadratic: for small views only.
 */
import { ancestorsOf } from '../../lib/mempool/graph.js';
import { NONE, type TxStore } from '../../lib/mempool/store.js';
import { BLOCK_FULL_ENOUGH_WEIGHT_DELTA, MAX_CONSECUTIVE_FAILURES } from '../../lib/mempool/template.js';

export function plainNextBlockMinFeerate(s: TxStore, maxWeight: number): number | undefined {
  const cands: { slot: number; anc: number[]; fee: number; vsize: number; weight: number }[] = [];
  for (let e = s.head; e !== NONE; e = s.next[e]) {
    if (!s.live(e) || Number.isNaN(s.fee[e])) continue;
    const anc = ancestorsOf(s, e);
    if (anc === undefined || anc.some((a) => Number.isNaN(s.fee[a]))) continue;
    const sum = (f: (x: number) => number): number => anc.reduce((t, a) => t + f(a), f(e));
    cands.push({ slot: e, anc, fee: sum((x) => s.fee[x]), vsize: sum((x) => s.vsize[x]), weight: sum((x) => s.weight[x]) });
  }
  const pairs = cands.map((c, i) => ({ score: c.fee / c.vsize, c: i }));
  const included = new Set<number>();
  let blockWeight = 0;
  let failures = 0;
  let lowest: number | undefined;
  while (pairs.length > 0) {
    let best = 0;
    for (let i = 1; i < pairs.length; i++) {
      const p = pairs[i];
      const b = pairs[best];
      if (p.score > b.score || (p.score === b.score && p.c !== b.c && Buffer.compare(s.txid.subarray(cands[p.c].slot * 32, cands[p.c].slot * 32 + 32), s.txid.subarray(cands[b.c].slot * 32, cands[b.c].slot * 32 + 32)) < 0)) best = i;
    }
    const { score, c } = pairs.splice(best, 1)[0];
    const cand = cands[c];
    if (included.has(cand.slot) || score !== cand.fee / cand.vsize) continue;
    if (blockWeight + cand.weight > maxWeight) {
      if (++failures > MAX_CONSECUTIVE_FAILURES && blockWeight > maxWeight - BLOCK_FULL_ENOUGH_WEIGHT_DELTA) break;
      continue;
    }
    failures = 0;
    blockWeight += cand.weight;
    lowest = lowest === undefined ? score : Math.min(lowest, score);
    for (const p of [cand.slot, ...cand.anc]) {
      if (included.has(p)) continue;
      included.add(p);
      cands.forEach((d, i) => {
        if (included.has(d.slot) || !d.anc.includes(p)) return;
        d.fee -= s.fee[p];
        d.vsize -= s.vsize[p];
        d.weight -= s.weight[p];
        pairs.push({ score: d.fee / d.vsize, c: i });
      });
    }
  }
  return lowest;
}
