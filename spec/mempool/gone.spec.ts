/** Txids that left the view: a bounded ring behind a counting filter, against a plain list of the last `max`. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GoneTxids } from '../../lib/mempool/gone.js';
import { MempoolView } from '../../lib/mempool/view.js';
import { toReversedHex } from '../../lib/wire/hex.js';
import { fundingTxid, mkCoinbase, mkTx } from '../support/mempool-txs.js';

const limits = { maxTxs: 1000, maxBytes: 1e9, maxAgeMs: 1_000 };

describe('GoneTxids', () => {
  it('answers as a list of the last `max` txids added, repeats and filter collisions included', () => {
    // Txids from a few values, some equal in the bitmap's bytes (7-9) and different elsewhere.
    const txid = (n: number): Uint8Array => {
      const b = new Uint8Array(32);
      b[7] = n % 3;
      b[9] = n % 2;
      b[20] = n;
      return b;
    };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(fc.tuple(fc.boolean(), fc.nat(12)), { maxLength: 60 }), (max, steps) => {
        const g = new GoneTxids(max);
        const list: number[] = [];
        for (const [add, n] of steps) {
          if (add) {
            g.add(txid(n), 0);
            list.push(n);
          }
          const last = list.slice(-max);
          for (let k = 0; k <= 12; k++) expect(g.has(txid(k), 0), `${k} in ${last.join(',')}`).toBe(last.includes(k));
          expect(g.size).toBe(Math.min(list.length, max));
        }
      }),
    );
  });

  it('reads a txid inside a larger buffer', () => {
    const g = new GoneTxids(4);
    const buf = new Uint8Array(100);
    buf.set(fundingTxid(1), 40);
    g.add(buf, 40);
    expect(g.has(fundingTxid(1), 0)).toBe(true);
    expect(g.has(buf, 41)).toBe(false);
  });
});

describe('MempoolView: a child of a transaction that left is an orphan', () => {
  it('does not take a late child of a replaced, conflicting or expired transaction; takes it when the parent is back', () => {
    const v = new MempoolView(limits, 1);
    const p = mkTx({ ins: [[fundingTxid(1), 0]], outs: [1_000] });
    const p2 = mkTx({ ins: [[fundingTxid(1), 0]], outs: [900], tag: 1 });
    const c = mkTx({ ins: [[p, 0]], outs: [800] });
    v.add(p, 1);
    v.add(p2, 2);
    // A peer that had not seen p2 yet relays p's child: Core would call it an orphan (missing inputs).
    expect(v.add(c, 3)).toBeUndefined();
    expect([...v.entries()].map((e) => e.txid)).toEqual([toReversedHex(p2.txid)]);
    // p comes back (it replaces p2): its child is taken.
    v.add(p, 4);
    expect(v.add(c, 5)?.left).toEqual([]);
    expect(v.size).toBe(2);
    // Expired: its late children are orphans too. A transaction that never left is no parent of an orphan.
    const w = new MempoolView(limits, 2);
    w.add(p, 0);
    w.expire(5_000);
    expect(w.add(c, 5_001)).toBeUndefined();
    expect(w.add(mkTx({ ins: [[fundingTxid(9), 0]], outs: [1] }), 5_002)?.left).toEqual([]);
  });

  it('takes a child of one that left and was confirmed after all (the original of a replacement, mined)', () => {
    const v = new MempoolView(limits, 4);
    const p = mkTx({ ins: [[fundingTxid(1), 0]], outs: [1_000, 2_000] });
    const p2 = mkTx({ ins: [[fundingTxid(1), 0]], outs: [900], tag: 1 });
    v.add(p, 1);
    v.add(p2, 2);
    // A miner had p, not p2: p2 is evicted, p's outputs are recent ones; and once they are not, p is still no orphan's parent.
    expect(v.confirm([mkCoinbase(1), p]).left.map((l) => l.entry.txid)).toEqual([toReversedHex(p2.txid)]);
    expect(v.add(mkTx({ ins: [[p, 0]], outs: [900] }), 3)?.known?.fee).toBe(100);
    const w = new MempoolView(limits, 5, 1);
    w.add(p, 1);
    w.add(p2, 2);
    w.confirm([mkCoinbase(1), p]);
    w.confirm([mkCoinbase(2), mkTx({ ins: [[fundingTxid(3), 0]], outs: [5, 6] })]);
    expect(w.add(mkTx({ ins: [[p, 1]], outs: [1_900] }), 3)).not.toBeUndefined();
  });

  it('takes the children of what its own bound evicted (Core may hold it still)', () => {
    const v = new MempoolView({ ...limits, maxTxs: 1 }, 3);
    const p = mkTx({ ins: [[fundingTxid(1), 0]], outs: [1_000] });
    v.add(p, 1);
    v.add(mkTx({ ins: [[fundingTxid(2), 0]], outs: [1] }), 2);
    expect(v.add(mkTx({ ins: [[p, 0]], outs: [900] }), 3)).not.toBeUndefined();
  });
});
