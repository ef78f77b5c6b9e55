/** The next-block template as Core's BlockAssembler builds one (node/miner.cpp addPackageTxs), without sockets. */
import { describe, expect, it } from 'vitest';
import { MempoolView } from '../../lib/mempool/view.js';
import { feerateHistogram, FEE_LEVELS, nextBlockMinFeerate } from '../../lib/mempool/template.js';
import { fundingTxid, mkCoinbase, mkTx } from '../support/mempool-txs.js';

const limits = { maxTxs: 1000, maxBytes: 1e9, maxAgeMs: 1_000_000 };

describe('nextBlockMinFeerate', () => {
  // A low-fee parent P with a high-fee child C and a medium child C2, and a medium independent M.
  // Room for P, C and one more of C2 or M (same shape, same weight). By the first ancestor scores,
  // C2's package (P + C2) is below M; once P is in (with C), Core scores C2 again alone
  // (mapModifiedTx), above M: C2 goes in, M does not, and the lowest feerate is C2's own.
  function scene() {
    const v = new MempoolView(limits);
    const funding = mkTx({ ins: [[fundingTxid(1), 0]], outs: [100_000, 100_000] });
    v.confirm([mkCoinbase(1), funding]);
    const p = mkTx({ ins: [[funding, 0]], outs: [50_000, 49_900] }); // fee 100
    const c = mkTx({ ins: [[p, 0]], outs: [40_000] }); // fee 10,000
    const c2 = mkTx({ ins: [[p, 1]], outs: [46_900] }); // fee 3,000
    const m = mkTx({ ins: [[funding, 1]], outs: [97_800] }); // fee 2,200
    for (const t of [p, c, c2, m]) v.add(t, 0);
    expect(c2.weight).toBe(m.weight);
    return { v, p, c, c2, m };
  }

  it('scores a package again once an ancestor is in the block (Core\'s mapModifiedTx): the child above the independent tx', () => {
    const { v, p, c, c2, m } = scene();
    const [fp, fc, fc2, fm] = [100, 10_000, 3_000, 2_200];
    // The premise: by first ancestor scores M is above C2's package; C2 alone is above M.
    expect((fp + fc2) / (p.vsize + c2.vsize)).toBeLessThan(fm / m.vsize);
    expect(fc2 / c2.vsize).toBeGreaterThan(fm / m.vsize);
    expect((fp + fc) / (p.vsize + c.vsize)).toBeGreaterThan(fc2 / c2.vsize);
    const room = p.weight + c.weight + c2.weight;
    expect(nextBlockMinFeerate(v.store, room)).toBeCloseTo(fc2 / c2.vsize, 9);
    // With room for all four, the lowest is M's.
    expect(nextBlockMinFeerate(v.store, room + m.weight)).toBeCloseTo(fm / m.vsize, 9);
    // With room for P and C only, their package's.
    expect(nextBlockMinFeerate(v.store, p.weight + c.weight)).toBeCloseTo((fp + fc) / (p.vsize + c.vsize), 9);
  });

  it('leaves out what has an ancestor of unknown fee, and is undefined when nothing is known', () => {
    const v = new MempoolView(limits);
    const orphan = mkTx({ ins: [[fundingTxid(5), 0]], outs: [1_000] });
    v.add(mkTx({ ins: [[orphan, 0]], outs: [900] }), 0);
    v.add(orphan, 0);
    // The child's fee is known (it spends the orphan's output), the orphan's is not: no package to take.
    expect(v.known.count).toBe(1);
    expect(nextBlockMinFeerate(v.store)).toBeUndefined();
    const { v: w, c2 } = scene();
    const h = feerateHistogram(w.store);
    expect(h.count.reduce((s, n) => s + n, 0)).toBe(4);
    // C2 (3,000 sat) is in the level holding its feerate.
    const rate = 3_000 / c2.vsize;
    const level = FEE_LEVELS.findLastIndex((l) => l <= rate);
    expect(h.count[level]).toBeGreaterThanOrEqual(1);
  });
});
