/** The next-block template as Core's BlockAssembler builds one (node/miner.cpp addPackageTxs), without sockets. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MempoolView } from '../../lib/mempool/view.js';
import { feerateHistogram, FEE_LEVELS, nextBlockMinFeerate, TEMPLATE_WEIGHT } from '../../lib/mempool/template.js';
import type { DecodedTx } from '../../lib/wire/model.js';
import { fundingTxid, mkCoinbase, mkTx, type Parent } from '../support/mempool-txs.js';
import { plainNextBlockMinFeerate, randomView, viewSpec } from '../support/template-model.js';
import { projectedBlocks } from '../../lib/mempool/projected.js';

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

  it('takes what the plain greedy selection takes, for any view: chains, diamonds, unknown fees, replacements, ties, any arrival order and room', () => {
    fc.assert(
      fc.property(fc.array(viewSpec, { minLength: 1, maxLength: 30 }), fc.nat(), fc.double({ min: 0, max: 1.2, noNaN: true }), (specs, seed, roomShare) => {
        const { v, order } = randomView(specs, seed);
        const weight = order.filter((t) => v.store.live(v.store.find(t.txid))).reduce((w, t) => w + t.weight, 0);
        for (const room of [Math.floor(weight * roomShare), TEMPLATE_WEIGHT]) expect(nextBlockMinFeerate(v.store, room)).toBe(plainNextBlockMinFeerate(v.store, room));
      }),
      { numRuns: 500 },
    );
  });

  it('of equal scores takes the smaller txid first (Core\'s CompareTxMemPoolEntryByAncestorFee), whatever the arrival order: a heavier one can crowd out a pair', () => {
    // A (2 inputs) and B (1 input) at 10 sat/vB exactly, C (1 input) at 5; room for B and C, or A alone.
    const outcomes = new Set<number>();
    for (let tag = 0; tag < 8; tag++) {
      const v = new MempoolView(limits);
      const funding = mkTx({ ins: [[fundingTxid(1), 0]], outs: [100_000, 100_000, 100_000, 100_000] });
      v.confirm([mkCoinbase(1), funding]);
      const shape = (ins: number[], fee: number) => mkTx({ ins: ins.map((j): [Parent, number] => [funding, j]), outs: [ins.length * 100_000 - fee], tag });
      const vsizeOf = (ins: number[]) => shape(ins, 0).vsize;
      const a = shape([0, 1], 10 * vsizeOf([0, 1]));
      const b = shape([2], 10 * vsizeOf([2]));
      const c = shape([3], 5 * vsizeOf([3]));
      for (const t of tag % 2 === 0 ? [a, b, c] : [b, a, c]) v.add(t, 0);
      const room = b.weight + c.weight;
      expect(a.weight).toBeLessThanOrEqual(room);
      expect(a.weight).toBeGreaterThan(Math.max(b.weight, c.weight));
      // A first: A in, then neither B nor C fits (10). B first: B and C (5).
      const want = Buffer.compare(a.txid, b.txid) < 0 ? 10 : 5;
      expect(nextBlockMinFeerate(v.store, room)).toBe(want);
      expect(plainNextBlockMinFeerate(v.store, room)).toBe(want);
      outcomes.add(want);
    }
    // The tags gave both orders of the txids.
    expect(outcomes).toEqual(new Set([5, 10]));
  });

  it('leaves out a transaction with more than 64 ancestors (Core 31\'s cluster limit), as the plain selection does, whichever end of a chain of 70 arrives first; none past its bound in ancestor entries', () => {
    for (const reversed of [false, true]) {
      const v = new MempoolView(limits);
      const funding = mkTx({ ins: [[fundingTxid(1), 0]], outs: [10_000_000] });
      v.confirm([mkCoinbase(1), funding]);
      const chain: DecodedTx[] = [];
      // Each pays less the further down the chain, so that a long package would score lower than its top.
      for (let i = 0, parent: Parent = funding, value = 10_000_000; i < 70; i++) {
        value -= 2_000 - 20 * i;
        const t = mkTx({ ins: [[parent, 0]], outs: [value] });
        chain.push(t);
        parent = t;
      }
      for (const t of reversed ? [...chain].reverse() : chain) v.add(t, 0);
      expect(v.known.count).toBe(70);
      const total = chain.reduce((w, t) => w + t.weight, 0);
      for (const room of [total, Math.floor(total / 3), TEMPLATE_WEIGHT]) expect(nextBlockMinFeerate(v.store, room)).toBe(plainNextBlockMinFeerate(v.store, room));
      // With room for all, the lowest is that of the 65th (64 ancestors), the last one taken.
      expect(nextBlockMinFeerate(v.store, total)).toBe((2_000 - 20 * 64) / chain[64].vsize);
      // The 65 candidates hold 0 + 1 + … + 64 = 2,080 ancestor entries: one fewer allowed, no template.
      expect(nextBlockMinFeerate(v.store, total, 2_080)).toBe((2_000 - 20 * 64) / chain[64].vsize);
      expect(nextBlockMinFeerate(v.store, total, 2_079)).toBeUndefined();
      // The projected blocks too (a stats line prints neither then).
      expect(projectedBlocks(v.store, 8, total, 2_079)).toBeUndefined();
      expect(projectedBlocks(v.store, 8, total, 2_080)?.[0].count).toBe(65);
    }
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
