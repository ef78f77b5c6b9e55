/**
 * The next block's lowest package feerate and the projected blocks computed plainly, for checking
 * lib/mempool/template.ts and projected.ts:
 * the same greedy selection (Core's addPackageTxs as that file describes it: highest ancestor
 * feerate first, a package's descendants scored again once it is in, of equal scores the smaller
 * txid first), with a list scanned for its best pair instead of a heap, and Maps and arrays
 * instead of flattened typed arrays. Quadratic: for small views only.
 */
import fc from 'fast-check';
import { ancestorsOf } from '../../lib/mempool/graph.js';
import { MempoolView } from '../../lib/mempool/view.js';
import type { DecodedTx } from '../../lib/wire/model.js';
import { fundingTxid, mkCoinbase, mkTx, type Parent } from './mempool-txs.js';
import { NONE, type TxStore } from '../../lib/mempool/store.js';
import { BLOCK_FULL_ENOUGH_WEIGHT_DELTA, MAX_CONSECUTIVE_FAILURES } from '../../lib/mempool/template.js';

export function plainNextBlockMinFeerate(s: TxStore, maxWeight: number): number | undefined {
  const chosen = plainAssemble(s, 1, maxWeight).filter((x) => x.block === 0);
  return chosen.length === 0 ? undefined : Math.min(...chosen.map((x) => x.rate));
}

/**
 * Blocks one after another, as template.ts assemble() describes them: a block is done when nothing
 * is left to try or at Core's stop; the packages that did not fit go into the next block's choice
 * (an empty block is followed by empty ones: nothing fits). Each chosen transaction with its block
 * and the score its package went in with.
 */
export function plainAssemble(s: TxStore, blocks: number, maxWeight: number): { slot: number; block: number; rate: number }[] {
  const cands: { slot: number; anc: number[]; fee: number; vsize: number; weight: number }[] = [];
  for (let e = s.head; e !== NONE; e = s.next[e]) {
    if (!s.live(e) || Number.isNaN(s.fee[e])) continue;
    const anc = ancestorsOf(s, e);
    if (anc === undefined || anc.some((a) => Number.isNaN(s.fee[a]))) continue;
    const sum = (f: (x: number) => number): number => anc.reduce((t, a) => t + f(a), f(e));
    cands.push({ slot: e, anc, fee: sum((x) => s.fee[x]), vsize: sum((x) => s.vsize[x]), weight: sum((x) => s.weight[x]) });
  }
  let pairs = cands.map((c, i) => ({ score: c.fee / c.vsize, c: i }));
  const chosen = new Map<number, { slot: number; block: number; rate: number }>();
  for (let b = 0; b < blocks; b++) {
    const skipped: number[] = [];
    let blockWeight = 0;
    let failures = 0;
    while (pairs.length > 0 && !(failures > MAX_CONSECUTIVE_FAILURES && blockWeight > maxWeight - BLOCK_FULL_ENOUGH_WEIGHT_DELTA)) {
      let best = 0;
      for (let i = 1; i < pairs.length; i++) {
        const p = pairs[i];
        const q = pairs[best];
        if (p.score > q.score || (p.score === q.score && p.c !== q.c && Buffer.compare(s.txid.subarray(cands[p.c].slot * 32, cands[p.c].slot * 32 + 32), s.txid.subarray(cands[q.c].slot * 32, cands[q.c].slot * 32 + 32)) < 0)) best = i;
      }
      const { score, c } = pairs.splice(best, 1)[0];
      const cand = cands[c];
      if (chosen.has(cand.slot) || score !== cand.fee / cand.vsize) continue;
      if (blockWeight + cand.weight > maxWeight) {
        failures++;
        if (!skipped.includes(c)) skipped.push(c);
        continue;
      }
      failures = 0;
      blockWeight += cand.weight;
      for (const p of [cand.slot, ...cand.anc]) {
        if (chosen.has(p)) continue;
        chosen.set(p, { slot: p, block: b, rate: score });
        cands.forEach((d, i) => {
          if (chosen.has(d.slot) || !d.anc.includes(p)) return;
          d.fee -= s.fee[p];
          d.vsize -= s.vsize[p];
          d.weight -= s.weight[p];
          pairs.push({ score: d.fee / d.vsize, c: i });
        });
      }
    }
    if (pairs.length === 0 && skipped.length === 0) break;
    pairs = [...pairs, ...skipped.filter((c) => !chosen.has(cands[c].slot)).map((c) => ({ score: cands[c].fee / cands[c].vsize, c }))];
  }
  return [...chosen.values()];
}

/**
 * A random view's transaction: parent j < 4 is output j of a confirmed funding transaction (known);
 * 4 or 5 a confirmed output the view never learned (the spender's fee unknown); j ≥ 6 an output
 * of the (j - 6)th made transaction, if made (else a funding one). Fees from a few values, so that
 * scores tie.
 */
export const viewSpec = fc.record({ parents: fc.uniqueArray(fc.nat(30), { minLength: 1, maxLength: 3 }), fee: fc.constantFrom(0, 100, 141, 282, 1000, 5000), outs: fc.integer({ min: 1, max: 2 }) });

/** A view of the `specs` transactions (chains, diamonds, unknown fees, replacements, ties), added in an order `seed` shuffles: children may come first. */
export function randomView(specs: readonly { parents: number[]; fee: number; outs: number }[], seed: number): { v: MempoolView; order: DecodedTx[] } {
  const v = new MempoolView({ maxTxs: 1000, maxBytes: 1e9, maxAgeMs: 1_000_000 });
  const funding = mkTx({ ins: [[fundingTxid(1), 0]], outs: [100_000, 100_000, 100_000, 100_000] });
  v.confirm([mkCoinbase(1), funding]);
  const made: { tx: DecodedTx; values: number[] }[] = [];
  for (const [i, t] of specs.entries()) {
    let inValue = 0;
    const ins = t.parents.map((j): [Parent, number] => {
      if (j >= 6 && j - 6 < made.length) {
        const m = made[j - 6];
        const vout = j % m.values.length;
        inValue += m.values[vout];
        return [m.tx, vout];
      }
      if (j === 4 || j === 5) return [fundingTxid(100 + j), 0];
      inValue += 100_000;
      return [funding, j % 4];
    });
    const total = Math.max(0, inValue - t.fee);
    const values = t.outs === 1 ? [total] : [Math.floor(total / 2), total - Math.floor(total / 2)];
    made.push({ tx: mkTx({ ins, outs: values, tag: i }), values });
  }
  const order = made.map((m) => m.tx);
  for (let i = order.length - 1, r = seed; i > 0; i--, r = (r * 1103515245 + 12345) >>> 0) {
    const j = r % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (const t of order) v.add(t, 0);
  return { v, order };
}
