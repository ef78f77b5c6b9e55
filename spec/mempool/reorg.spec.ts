/** A reorg through the mempool view, without sockets: a block that leaves the chain gives its transactions back, as Core's mempool takes them back. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MempoolView } from '../../lib/mempool/view.js';
import { AppliedChain } from '../../lib/mempool/applied.js';
import { toReversedHex } from '../../lib/wire/hex.js';
import type { DecodedTx } from '../../lib/wire/model.js';
import { fundingTxid, mkCoinbase, mkTx } from '../support/mempool-txs.js';

const id = (t: DecodedTx): string => toReversedHex(t.txid);
const limits = { maxTxs: 1000, maxBytes: 1e9, maxAgeMs: 1e12 };
/** What the view says of its transactions, oldest first. */
const state = (v: MempoolView) => ({ size: v.size, vsize: v.vsize, known: v.known, entries: [...v.entries()].map((e) => ({ txid: e.txid, fee: e.fee, time: e.time })) });

describe('MempoolView.unconfirm', () => {
  it('gives back a disconnected block\'s transactions with their first-seen time and fee; the unseen ones as seen now; never the coinbase', () => {
    const v = new MempoolView(limits, 4);
    const parent = mkTx({ ins: [[fundingTxid(1), 0]], outs: [50_000, 40_000] });
    const kept = mkTx({ ins: [[fundingTxid(2), 0]], outs: [7_000] });
    v.confirm([mkCoinbase(1), parent, kept]);
    // Spends outputs of a block it received: fee known.
    const a = mkTx({ ins: [[parent, 0]], outs: [49_000] });
    const b = mkTx({ ins: [[a, 0]], outs: [48_500] });
    const c = mkTx({ ins: [[parent, 1]], outs: [39_000] });
    v.add(a, 10);
    v.add(b, 11);
    v.add(c, 12);
    const unseen = mkTx({ ins: [[fundingTxid(3), 0]], outs: [1] });
    const before = state(v);
    // Block A1 confirms a and c (b stays: its parent a left), and one the view never saw.
    const coinbase = mkCoinbase(2);
    const block = [coinbase, a, c, unseen];
    const done = v.confirm(block);
    expect(done.confirmed.map((x) => x.index)).toEqual([1, 2]);
    expect(state(v).entries.map((e) => e.txid)).toEqual([id(b)]);
    // A1 leaves the chain.
    const back = v.unconfirm(block, 99);
    expect(back).toEqual({ returned: 3, left: [] });
    expect(v.get(coinbase.txid)).toBeUndefined();
    expect(v.get(unseen.txid)).toMatchObject({ time: 99, fee: undefined });
    // The rest as before A1, the unseen one last; b's package is whole again.
    const after = state(v);
    expect(after.entries.filter((e) => e.txid !== id(unseen))).toEqual(expect.arrayContaining(before.entries));
    expect(after.size).toBe(before.size + 1);
    expect(after.vsize).toBe(before.vsize + unseen.vsize);
    expect(after.known).toEqual(before.known);
    expect(v.get(a.txid)).toMatchObject({ time: 10, fee: 1_000 });
    expect(v.get(c.txid)).toMatchObject({ time: 12, fee: 1_000 });
    // A child arriving now counts a (back in the view) as its ancestor.
    const d = mkTx({ ins: [[c, 0]], outs: [38_000] });
    expect(v.add(d, 100)?.known?.effectiveFeerate).toBeCloseTo(2_000 / (c.vsize + d.vsize), 3);
    // B1 confirms a again: it leaves once more, with its descendants in the view still there.
    expect(v.confirm([mkCoinbase(3), a]).confirmed).toEqual([{ index: 1, time: 10 }]);
    expect(v.size).toBe(4);
  });

  it('unspends what the disconnected block spent (Core\'s DisconnectTip): a replacement of a transaction that came back, and one the view never held, have their fees', () => {
    const v = new MempoolView(limits, 5);
    // Outputs of a received block: `held`'s the view held (kept in its slot), `ring`'s it did not (the recent outputs).
    const held = mkTx({ ins: [[fundingTxid(1), 0]], outs: [50_000, 40_000] });
    v.add(held, 1);
    const ring = mkTx({ ins: [[fundingTxid(2), 0]], outs: [30_000, 20_000] });
    v.confirm([mkCoinbase(1), held, ring]);
    const a = mkTx({ ins: [[held, 0], [ring, 0]], outs: [79_000] });
    v.add(a, 2);
    // A1 confirms a, and one the view never saw spending the other two outputs.
    const unseen = mkTx({ ins: [[held, 1], [ring, 1]], outs: [59_500] });
    const block = [mkCoinbase(2), a, unseen];
    v.confirm(block);
    // Spent: a transaction spending them now has no fee.
    const early = mkTx({ ins: [[held, 0], [ring, 0]], outs: [70_000], tag: 1 });
    expect(v.missingInputs(early)).toEqual([0, 1]);
    expect(v.unconfirm(block, 3).returned).toBe(2);
    expect(v.get(a.txid)).toMatchObject({ fee: 1_000 });
    expect(v.get(unseen.txid)).toMatchObject({ fee: 500, time: 3 });
    // A replacement of a, back in the view, spending the same outputs: its fee is known, and so is the one it replaced.
    const r = mkTx({ ins: [[held, 0], [ring, 0]], outs: [75_000], tag: 2 });
    const added = v.add(r, 4);
    expect(added?.known?.fee).toBe(5_000);
    expect(added?.left.map((l) => [l.entry.txid, l.reason, l.entry.fee, l.byFee])).toEqual([[id(a), 'replaced', 1_000, 5_000]]);
    // B1 confirms r: spent again.
    v.confirm([mkCoinbase(3), r]);
    expect(v.missingInputs(early)).toEqual([0, 1]);
  });

  it('replaces a view transaction that conflicts with one coming back (full RBF, as add())', () => {
    const v = new MempoolView(limits, 6);
    const t = mkTx({ ins: [[fundingTxid(1), 0]], outs: [900] });
    v.add(t, 1);
    const block = [mkCoinbase(1), t];
    v.confirm(block);
    // A peer relays a double spend of a confirmed transaction (Core would refuse it: its input is spent).
    const ds = mkTx({ ins: [[fundingTxid(1), 0]], outs: [800], tag: 5 });
    v.add(ds, 2);
    const back = v.unconfirm(block, 3);
    expect(back.returned).toBe(1);
    expect(back.left.map((l) => [l.entry.txid, l.reason, l.by])).toEqual([[id(ds), 'replaced', id(t)]]);
    expect(v.get(t.txid)).toMatchObject({ time: 1 });
  });

  it('confirm then unconfirm of any block of held transactions leaves the view as it was, fees, times and known outputs included', () => {
    const arb = fc.record({
      parents: fc.array(fc.uniqueArray(fc.nat(12), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 20 }),
      pick: fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
      funded: fc.nat(3),
    });
    fc.assert(
      fc.property(arb, ({ parents, pick, funded }) => {
        const v = new MempoolView(limits, 9);
        // Funding outputs 0..funded-1 come from a block the view received (their values known), the rest are unknown.
        const funding = mkTx({ ins: [[fundingTxid(99), 0]], outs: [1e6, 1e6, 1e6, 1e6] });
        if (funded > 0) v.confirm([mkCoinbase(0), funding]);
        const made: DecodedTx[] = [];
        parents.forEach((ps, i) => {
          const ins = [...new Set(ps.map((j) => (j < 4 ? -1 - j : j - 4 < made.length ? j - 4 : -1 - (j % 4))))].map((j): [DecodedTx | Uint8Array, number] =>
            j >= 0 ? [made[j], 0] : -1 - j < funded ? [funding, -1 - j] : [fundingTxid(-1 - j), 0],
          );
          // Each spends its inputs once in the whole set: a later one spending an output already spent replaces, which this property leaves to others.
          const t = mkTx({ ins, outs: [1000 - i], tag: i });
          if (made.some((m) => m.inputs.some((x) => t.inputs.some((y) => toReversedHex(x.prevTxid) === toReversedHex(y.prevTxid) && x.prevIndex === y.prevIndex)))) return;
          made.push(t);
          v.add(t, i + 1);
        });
        const before = state(v);
        // A block: a chosen subset closed under ancestors (a valid block holds a child's unconfirmed parents), in arrival order.
        const inBlock = new Set<string>();
        for (const [i, t] of made.entries()) {
          const parentIn = t.inputs.every((x) => !made.some((m) => id(m) === toReversedHex(x.prevTxid)) || inBlock.has(toReversedHex(x.prevTxid)));
          if (pick[i] && parentIn) inBlock.add(id(t));
        }
        const block = [mkCoinbase(1), ...made.filter((t) => inBlock.has(id(t)))];
        // And what each input spends is known, or not, as before (the block's spends unspent again).
        const missing = made.map((t) => v.missingInputs(t));
        v.confirm(block);
        expect(v.size).toBe(before.size - inBlock.size);
        v.unconfirm(block, 1e6);
        const after = state(v);
        expect({ ...after, entries: [...after.entries].sort((x, y) => x.time - y.time) }).toEqual(before);
        expect(made.map((t) => v.missingInputs(t))).toEqual(missing);
      }),
      { numRuns: 300 },
    );
  });
});

describe('AppliedChain', () => {
  const chain = () => new AppliedChain<string>(11, 22, 1_000);

  it('applies a chain block by block; a reorg disconnects the old branch tip first and joins the held blocks of the new one oldest first', () => {
    const c = chain();
    expect(c.connect('g', [], 'G', 1)).toEqual({ disconnect: [], connect: [], lost: 0, apply: true });
    expect(c.connect('a1', ['g'], 'A1', 1)).toMatchObject({ disconnect: [], connect: [], apply: true });
    expect(c.connect('a2', ['a1', 'g'], 'A2', 1)).toMatchObject({ disconnect: [], connect: [], apply: true });
    // B1 and B2 arrive off the best chain; B3 makes it the best.
    c.hold('b1', 'B1', 1);
    c.hold('b2', 'B2', 1);
    expect(c.connect('b3', ['b2', 'b1', 'g'], 'B3', 1)).toEqual({ disconnect: ['A2', 'A1'], connect: ['B1', 'B2'], lost: 0, apply: true });
    // And back: A3 makes A's branch the best again.
    expect(c.connect('a3', ['a2', 'a1', 'g'], 'A3', 1)).toEqual({ disconnect: ['B3', 'B2', 'B1'], connect: ['A1', 'A2'], lost: 0, apply: true });
    expect(c.length).toBe(4);
  });

  it('leaves a gap for a block that has not arrived, and applies it in place when it comes', () => {
    const c = chain();
    c.connect('g', [], 'G', 1);
    c.connect('a1', ['g'], 'A1', 1);
    // B2 arrives before B1.
    expect(c.connect('b2', ['b1', 'g'], 'B2', 1)).toEqual({ disconnect: ['A1'], connect: [], lost: 0, apply: true });
    expect(c.connect('b1', ['g'], 'B1', 1)).toEqual({ disconnect: [], connect: [], lost: 0, apply: true });
    expect(c.connect('b1', ['g'], 'B1', 1).apply).toBe(false);
    expect(c.connect('b3', ['b2', 'b1', 'g'], 'B3', 1)).toMatchObject({ disconnect: [], apply: true });
  });

  it('starts afresh on a block with no ancestor in the chain (the first one, or past its depth)', () => {
    const c = new AppliedChain<string>(3, 6, 1_000);
    for (const [i, k] of ['x0', 'x1', 'x2', 'x3', 'x4'].entries()) c.connect(k, i === 0 ? [] : [`x${i - 1}`], k, 1);
    expect(c.length).toBe(3);
    // Forked below what the chain keeps: nothing to disconnect that it could know of.
    expect(c.connect('y', ['z', 'x0'], 'Y', 1)).toEqual({ disconnect: [], connect: [], lost: 0, apply: true });
    expect(c.length).toBe(3);
    // The first block's ancestors are in the chain, not applied: a competitor of it forks off its parent.
    const d = chain();
    d.connect('a1', ['g', 'f'], 'A1', 1);
    d.hold('b1', 'B1', 1);
    expect(d.connect('b2', ['b1', 'g', 'f'], 'B2', 1)).toEqual({ disconnect: ['A1'], connect: ['B1'], lost: 0, apply: true });
    // And one of them arriving late is applied in place.
    expect(d.connect('g', ['f'], 'G', 1)).toEqual({ disconnect: [], connect: [], lost: 0, apply: true });
  });

  it('holds blocks within its bounds, the oldest going first; a block that leaves after its bytes went is counted lost', () => {
    const c = new AppliedChain<string>(11, 22, 10);
    c.connect('g', [], 'G', 4);
    c.connect('a1', ['g'], 'A1', 4);
    c.connect('a2', ['a1', 'g'], 'A2', 4);
    // G went for A2; a stale block's bytes make A1 go.
    expect(c.bytes).toBe(8);
    c.hold('x', 'X', 4);
    expect(c.bytes).toBe(8);
    expect(c.connect('b1', ['g'], 'B1', 4)).toEqual({ disconnect: ['A2'], connect: [], lost: 1, apply: true });
    expect(c.bytes).toBeLessThanOrEqual(10);
    const few = new AppliedChain<string>(11, 2, 1_000);
    for (const k of ['s1', 's2', 's3']) few.hold(k, k, 1);
    expect(few.bytes).toBe(2);
  });

  it('never fails, and keeps its bounds, on any sequence of blocks and ancestries', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
    fc.assert(
      fc.property(fc.array(fc.record({ stale: fc.boolean(), key, ancestors: fc.array(key, { maxLength: 12 }), bytes: fc.nat(5) }), { maxLength: 60 }), (steps) => {
        const c = new AppliedChain<string>(5, 4, 8);
        for (const s of steps) {
          if (s.stale) c.hold(s.key, s.key, s.bytes);
          else {
            const plan = c.connect(s.key, s.ancestors, s.key, s.bytes);
            expect(plan.disconnect.length + plan.lost).toBeLessThanOrEqual(5);
          }
          expect(c.length).toBeLessThanOrEqual(5);
          expect(c.bytes).toBeLessThanOrEqual(8 + 5);
        }
      }),
    );
  });
});
