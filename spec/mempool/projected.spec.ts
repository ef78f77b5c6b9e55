/** Projected blocks (mempool.space's): blocks built one after another as Core's BlockAssembler builds one, without sockets. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MempoolView } from '../../lib/mempool/view.js';
import { nextBlockMinFeerate, TEMPLATE_WEIGHT } from '../../lib/mempool/template.js';
import { projectedBlocks, RANGE_PERCENTILES, type ProjectedBlock } from '../../lib/mempool/projected.js';
import type { TxStore } from '../../lib/mempool/store.js';
import type { DecodedTx } from '../../lib/wire/model.js';
import { fundingTxid, mkCoinbase, mkTx, type Parent } from '../support/mempool-txs.js';
import { plainAssemble, randomView, viewSpec } from '../support/template-model.js';

/** The blocks' figures from the plain selection, plainly: sorted copies, a running sum for the middle of the weight. */
function plainProjected(s: TxStore, blocks: number, maxWeight: number): ProjectedBlock[] {
  const chosen = plainAssemble(s, blocks, maxWeight);
  const out: ProjectedBlock[] = [];
  for (let b = 0; b < blocks; b++) {
    const txs = chosen.filter((x) => x.block === b).sort((x, y) => x.rate - y.rate);
    if (txs.length === 0) break;
    const weight = txs.reduce((w, x) => w + s.weight[x.slot], 0);
    let w = 0;
    const median = txs.find((x) => 2 * (w += s.weight[x.slot]) >= weight)!.rate;
    const rates = txs.map((x) => x.rate);
    out.push({
      count: txs.length,
      vsize: txs.reduce((t, x) => t + s.vsize[x.slot], 0),
      weight,
      fee: txs.reduce((t, x) => t + s.fee[x.slot], 0),
      medianFeerate: median,
      feerateRange: [rates[0], ...RANGE_PERCENTILES.map((p) => rates[Math.floor(((rates.length - 1) * p) / 100)]), rates[rates.length - 1]],
    });
  }
  return out;
}

describe('projectedBlocks', () => {
  it('equals the plain selection\'s blocks, for any view and room; the first block is the next block (its lowest feerate); with room, every candidate is in one', () => {
    fc.assert(
      fc.property(fc.array(viewSpec, { minLength: 1, maxLength: 30 }), fc.nat(), fc.double({ min: 0, max: 0.6, noNaN: true }), fc.integer({ min: 1, max: 5 }), (specs, seed, roomShare, blocks) => {
        const { v, order } = randomView(specs, seed);
        const weight = order.filter((t) => v.store.live(v.store.find(t.txid))).reduce((w, t) => w + t.weight, 0);
        const room = Math.max(1, Math.floor(weight * roomShare));
        const got = projectedBlocks(v.store, blocks, room);
        expect(got).toEqual(plainProjected(v.store, blocks, room));
        expect(got![0]?.feerateRange[0]).toBe(nextBlockMinFeerate(v.store, room));
        // Each candidate in one block at most; with a block's room, all in the first.
        const all = projectedBlocks(v.store, 40, TEMPLATE_WEIGHT)!;
        expect(all.length).toBeLessThanOrEqual(1);
        expect(projectedBlocks(v.store, 40, room)!.reduce((n, b) => n + b.count, 0)).toBeLessThanOrEqual(all[0]?.count ?? 0);
        for (const b of got!) {
          expect(b.weight).toBeLessThanOrEqual(room);
          expect(b.feerateRange).toEqual([...b.feerateRange].sort((x, y) => x - y));
          expect(b.medianFeerate).toBeGreaterThanOrEqual(b.feerateRange[0]);
          expect(b.medianFeerate).toBeLessThanOrEqual(b.feerateRange[6]);
          expect(b.vsize).toBeLessThanOrEqual(b.weight);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('fills blocks in feerate order, a package that did not fit in line for the next; ends at a block that takes nothing', () => {
    const v = new MempoolView({ maxTxs: 1000, maxBytes: 1e9, maxAgeMs: 1_000_000 });
    const funding = mkTx({ ins: [[fundingTxid(1), 0]], outs: new Array<number>(12).fill(100_000) });
    v.confirm([mkCoinbase(1), funding]);
    // Nine one-input transactions paying 1,200 … 400 sat (the same vsize), and a heavy three-input one at the top feerate.
    const singles = Array.from({ length: 9 }, (_, i) => mkTx({ ins: [[funding, i]], outs: [100_000 - (12 - i) * 100] }));
    const heavyIns: [Parent, number][] = [[funding, 9], [funding, 10], [funding, 11]];
    const heavy = mkTx({ ins: heavyIns, outs: [300_000 - 5_000] });
    for (const t of [...singles, heavy]) v.add(t, 0);
    const w = singles[0].weight;
    expect(heavy.weight).toBeGreaterThan(2 * w);
    expect(5_000 / heavy.vsize).toBeGreaterThan(1_200 / singles[0].vsize);
    // Room for two singles: the heavy one fits in no block; the singles two a block, the highest first.
    const got = projectedBlocks(v.store, 8, 2 * w)!;
    expect(got.map((b) => b.count)).toEqual([2, 2, 2, 2, 1]);
    expect(got.map((b) => b.fee)).toEqual([2_300, 1_900, 1_500, 1_100, 400]);
    expect(got.slice(0, 3).map((b) => b.vsize)).toEqual([2, 2, 2].map((n) => n * singles[0].vsize));
    // Three blocks asked: three given.
    expect(projectedBlocks(v.store, 3, 2 * w)!.map((b) => b.fee)).toEqual([2_300, 1_900, 1_500]);
    // With room for the heavy one, it goes first, alone (the first single no longer fits beside it); the singles follow, as many a block as fit.
    const roomy = projectedBlocks(v.store, 8, heavy.weight)!;
    expect(roomy[0]).toMatchObject({ count: 1, fee: 5_000 });
    expect(roomy.reduce((n, b) => n + b.count, 0)).toBe(10);
  });

  it('gives a child whose parent went in an earlier block its own feerate (re-scored), and is empty when no fee is known', () => {
    const v = new MempoolView({ maxTxs: 1000, maxBytes: 1e9, maxAgeMs: 1_000_000 });
    const funding = mkTx({ ins: [[fundingTxid(1), 0]], outs: [100_000, 100_000] });
    v.confirm([mkCoinbase(1), funding]);
    const p = mkTx({ ins: [[funding, 0]], outs: [90_000] }); // 10,000 sat
    const c: DecodedTx = mkTx({ ins: [[p, 0]], outs: [89_900] }); // 100 sat
    const m = mkTx({ ins: [[funding, 1]], outs: [99_000] }); // 1,000 sat
    for (const t of [p, c, m]) v.add(t, 0);
    const got = projectedBlocks(v.store, 3, p.weight)!;
    expect(got.map((b) => b.count)).toEqual([1, 1, 1]);
    expect(got.map((b) => b.fee)).toEqual([10_000, 1_000, 100]);
    expect(got[2].medianFeerate).toBe(100 / c.vsize);
    const empty = new MempoolView({ maxTxs: 1000, maxBytes: 1e9, maxAgeMs: 1_000_000 });
    empty.add(mkTx({ ins: [[fundingTxid(7), 0]], outs: [1] }), 0);
    expect(projectedBlocks(empty.store)).toEqual([]);
  });
});
