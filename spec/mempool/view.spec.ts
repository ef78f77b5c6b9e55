/** The mempool view without sockets: replacement chains, descendants, confirmation, conflicts, expiry, fees, arrival order. */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ancestorsOf } from '../../lib/mempool/graph.js';
import { MempoolView, type Left } from '../../lib/mempool/view.js';
import { SPENT, TX } from '../../lib/mempool/table.js';
import { toReversedHex } from '../../lib/wire/hex.js';
import type { DecodedTx } from '../../lib/wire/model.js';
import { arbCheckInputs, arbCheckOutputs, fundingTxid, mkCoinbase, mkTx } from '../support/mempool-txs.js';
import { checkTransaction, isCoinbase } from '../../lib/tx/check.js';
import { decodeTx, encodeTx } from '../../lib/wire/transaction.js';

const id = (t: DecodedTx): string => toReversedHex(t.txid);
const summary = (l: readonly Left[]) => l.map((x) => ({ txid: x.entry.txid, reason: x.reason, by: x.by, ancestor: x.ancestor, rbf: x.rbfSignaled }));
const SIGNAL = 0xfffffffd;
const limits = { maxTxs: 1000, maxBytes: 1e9, maxAgeMs: 1_000_000 };

describe('MempoolView', () => {
  it('replaces a transaction and all its descendants, naming the replaced ancestor, with each one\'s BIP 125 signal', () => {
    const v = new MempoolView(limits, 0);
    const x = fundingTxid(1);
    const a = mkTx({ ins: [[x, 0]], outs: [1000], sequence: SIGNAL });
    const b = mkTx({ ins: [[a, 0]], outs: [900] });
    const c = mkTx({ ins: [[b, 0]], outs: [800] });
    for (const t of [a, b, c]) expect(v.add(t, 1)?.left).toEqual([]);
    expect(v.size).toBe(3);
    const a2 = mkTx({ ins: [[x, 0]], outs: [500], tag: 1 });
    const r = v.add(a2, 2);
    expect(summary(r?.left ?? [])).toEqual([
      { txid: id(a), reason: 'replaced', by: id(a2), ancestor: undefined, rbf: true },
      { txid: id(b), reason: 'replaced', by: id(a2), ancestor: id(a), rbf: true },
      { txid: id(c), reason: 'replaced', by: id(a2), ancestor: id(a), rbf: true },
    ]);
    expect(v.size).toBe(1);
    expect(v.vsize).toBe(a2.vsize);
    // Full RBF: a2 did not signal; a3 replaces it all the same, and says so.
    const a3 = mkTx({ ins: [[x, 0]], outs: [400], tag: 2 });
    expect(summary(v.add(a3, 3)?.left ?? [])).toEqual([{ txid: id(a2), reason: 'replaced', by: id(a3), ancestor: undefined, rbf: false }]);
    expect(v.size).toBe(1);
  });

  it('TRUC (BIP 431): a second child of a version 3 parent evicts the first (sibling eviction), with its descendants; not for other versions', () => {
    const v = new MempoolView(limits, 2);
    const p = mkTx({ ins: [[fundingTxid(1), 0]], outs: [5_000, 5_000, 5_000], version: 3 });
    const c1 = mkTx({ ins: [[p, 0]], outs: [4_000], version: 3 });
    v.add(p, 1);
    v.add(c1, 2);
    const c2 = mkTx({ ins: [[p, 1]], outs: [3_000], version: 3 });
    expect(summary(v.add(c2, 3)?.left ?? [])).toEqual([{ txid: id(c1), reason: 'replaced', by: id(c2), ancestor: undefined, rbf: false }]);
    expect([...v.entries()].map((e) => e.txid)).toEqual([id(p), id(c2)]);
    // A child spending two outputs, one of them the sibling's: one replaced line.
    const c3 = mkTx({ ins: [[p, 1], [p, 2]], outs: [100], version: 3 });
    expect(summary(v.add(c3, 4)?.left ?? []).map((l) => l.txid)).toEqual([id(c2)]);
    // Not TRUC: a version 2 parent's children, or a version 2 child, stay side by side.
    for (const [pv, cv] of [
      [2, 3],
      [2, 2],
      [3, 2],
    ]) {
      const w = new MempoolView(limits, 3);
      const q = mkTx({ ins: [[fundingTxid(2), 0]], outs: [5_000, 5_000], version: pv });
      w.add(q, 1);
      w.add(mkTx({ ins: [[q, 0]], outs: [1], version: cv }), 2);
      expect(w.add(mkTx({ ins: [[q, 1]], outs: [1], version: cv }), 3)?.left, `${pv}/${cv}`).toEqual([]);
      expect(w.size).toBe(3);
    }
  });

  it('replaces every transaction a new one conflicts with, once each, of 2 or 20,000', () => {
    const v = new MempoolView(limits, 3);
    const p = mkTx({ ins: [[fundingTxid(1), 0]], outs: [1] });
    const q = mkTx({ ins: [[fundingTxid(2), 0]], outs: [1] });
    v.add(p, 0);
    v.add(q, 0);
    const both = mkTx({ ins: [[fundingTxid(1), 0], [fundingTxid(2), 0]], outs: [1] });
    expect(summary(v.add(both, 1)?.left ?? []).map((l) => l.txid)).toEqual([id(p), id(q)]);
    expect(v.add(both, 2)).toBeUndefined();
    expect(v.size).toBe(1);
    // A conflict through two inputs is found twice, and replaced once.
    const two = mkTx({ ins: [[fundingTxid(3), 0], [fundingTxid(3), 1]], outs: [1] });
    v.add(two, 3);
    const over = mkTx({ ins: [[fundingTxid(3), 1], [fundingTxid(3), 0]], outs: [1], tag: 1 });
    expect(summary(v.add(over, 4)?.left ?? []).map((l) => l.txid)).toEqual([id(two)]);
    // A peer's transaction conflicting with 20,000 (Core replaces 100 at most: policy/rbf.h MAX_REPLACEMENT_CANDIDATES).
    const w = new MempoolView({ ...limits, maxTxs: 30_000 });
    const singles = Array.from({ length: 20_000 }, (_, i) => mkTx({ ins: [[fundingTxid(10 + i), 0]], outs: [1] }));
    singles.forEach((t, i) => w.add(t, i));
    const all = mkTx({ ins: singles.map((_, i) => [fundingTxid(10 + i), 0] as const), outs: [1] });
    expect(summary(w.add(all, 1)?.left ?? []).map((l) => l.txid)).toEqual(singles.map(id));
    expect(w.size).toBe(1);
  });

  it('refuses a transaction spending one outpoint twice (invalid, bad-txns-inputs-duplicate: a hostile peer\'s), of 2 inputs or 20,000', () => {
    const v = new MempoolView(limits, 4);
    const twice = mkTx({ ins: [[fundingTxid(1), 0], [fundingTxid(1), 0]], outs: [1] });
    expect(v.add(twice, 0)).toBeUndefined();
    // Past the pairwise comparison: 20,000 distinct outpoints are held (820 kB without witness, within
    // Core's 1 MB), one more spending the first again is not.
    const many = Array.from({ length: 20_000 }, (_, i) => [fundingTxid(2 + (i >> 12)), i & 4095] as const);
    const distinct = mkTx({ ins: many, outs: [1] });
    const again = mkTx({ ins: [...many, many[0]], outs: [1] });
    expect(v.add(again, 1)).toBeUndefined();
    expect({ size: v.size, spent: v.store.table.count(SPENT) }).toEqual({ size: 0, spent: 0 });
    expect(v.add(distinct, 1)?.left).toEqual([]);
    expect({ size: v.size, spent: v.store.table.count(SPENT) }).toEqual({ size: 1, spent: 20_000 });
    // The same outpoint at another index, or another txid at the same index, is no duplicate.
    expect(v.add(mkTx({ ins: [[fundingTxid(1), 0], [fundingTxid(1), 1], [fundingTxid(0), 0]], outs: [1] }), 2)?.left).toEqual([]);
    // It is replaced by a transaction spending one of its outpoints.
    expect(summary(v.add(mkTx({ ins: [many[19_999]], outs: [1], tag: 1 }), 3)?.left ?? [])).toEqual([{ txid: id(distinct), reason: 'replaced', by: expect.any(String), ancestor: undefined, rbf: false }]);
    expect(v.store.table.count(SPENT)).toBe(4);
  });

  it('holds none of what Core refuses whatever the context (CheckTransaction, a relayed coinbase): a coinbase, an output past 21 million BTC', () => {
    const v = new MempoolView(limits, 4);
    expect(v.add(mkCoinbase(1), 0)).toBeUndefined();
    const big = mkTx({ ins: [[fundingTxid(1), 0]], outs: [2_100_000_000_000_001] });
    expect(v.add(big, 0)).toBeUndefined();
    expect(v.size).toBe(0);
    // A child of the refused one is held without a fee (its parent unknown): never a fee made of a made-up value.
    expect(v.add(mkTx({ ins: [[big, 0]], outs: [1] }), 1)?.known).toBeUndefined();
    expect(v.add(mkTx({ ins: [[fundingTxid(1), 0]], outs: [2_100_000_000_000_000] }), 1)?.left).toEqual([]);
    expect(v.size).toBe(2);
  });

  it('refuses exactly what CheckTransaction refuses and coinbases, its checks made in its own passes (a property: any inputs, outputs and values)', () => {
    fc.assert(
      // No inputs does not decode (it reads as BIP 144's marker): below, as an object.
      fc.property(arbCheckInputs([new Uint8Array(0), new Uint8Array(2)]), arbCheckOutputs(0), (inputs, outputs) => {
        const t = decodeTx(encodeTx({ version: 2, inputs, outputs, locktime: 0 }));
        const v = new MempoolView(limits, 6);
        const refused = checkTransaction(t) !== undefined || isCoinbase(t);
        expect(v.add(t, 0) === undefined).toBe(refused);
        expect(v.size).toBe(refused ? 0 : 1);
      }),
    );
    const v = new MempoolView(limits, 6);
    expect(v.add({ ...mkTx({ ins: [[fundingTxid(1), 0]], outs: [1] }), inputs: [] }, 0)).toBeUndefined();
    expect(v.size).toBe(0);
  });

  it('confirms what a block holds, evicts what conflicts with it (with descendants), counts the unseen', () => {
    const v = new MempoolView(limits, 5);
    const a = mkTx({ ins: [[fundingTxid(1), 0]], outs: [1000] });
    const child = mkTx({ ins: [[a, 0]], outs: [900] });
    const f = mkTx({ ins: [[fundingTxid(2), 0]], outs: [1000] });
    const g = mkTx({ ins: [[f, 0]], outs: [900] });
    for (const t of [a, child, f, g]) v.add(t, 1_000);
    const doubleSpend = mkTx({ ins: [[fundingTxid(2), 0]], outs: [990], tag: 9 });
    const unseen = mkTx({ ins: [[fundingTxid(3), 0]], outs: [5] });
    const c = v.confirm([mkCoinbase(1), a, doubleSpend, unseen]);
    expect(c.confirmed.map((e) => e.index)).toEqual([1]);
    expect(c.unseen).toEqual([2, 3]);
    expect(summary(c.left)).toEqual([
      { txid: id(f), reason: 'conflict', by: id(doubleSpend), ancestor: undefined, rbf: undefined },
      { txid: id(g), reason: 'conflict', by: id(doubleSpend), ancestor: id(f), rbf: undefined },
    ]);
    // The child of the confirmed transaction stays, now with a confirmed parent.
    expect([...v.entries()].map((e) => e.txid)).toEqual([id(child)]);
    expect(v.vsize).toBe(child.vsize);
  });

  it('expires what is older than the limit, with its descendants', () => {
    const v = new MempoolView({ ...limits, maxAgeMs: 100 });
    const a = mkTx({ ins: [[fundingTxid(1), 0]], outs: [1000] });
    const young = mkTx({ ins: [[a, 0]], outs: [900] });
    const other = mkTx({ ins: [[fundingTxid(2), 0]], outs: [1000] });
    v.add(a, 0);
    v.add(young, 90);
    v.add(other, 95);
    expect(summary(v.expire(150))).toEqual([
      { txid: id(a), reason: 'expiry', by: undefined, ancestor: undefined, rbf: undefined },
      { txid: id(young), reason: 'expiry', by: undefined, ancestor: id(a), rbf: undefined },
    ]);
    expect(v.size).toBe(1);
    expect(v.oldestAge(1_095)).toBe(1);
  });

  it('stays within its bound, evicting the oldest with its descendants (reason size)', () => {
    const v = new MempoolView({ ...limits, maxTxs: 3 });
    const a = mkTx({ ins: [[fundingTxid(1), 0]], outs: [1000] });
    const b = mkTx({ ins: [[a, 0]], outs: [900] });
    v.add(a, 0);
    v.add(b, 1);
    v.add(mkTx({ ins: [[fundingTxid(2), 0]], outs: [1] }), 2);
    const r = v.add(mkTx({ ins: [[fundingTxid(3), 0]], outs: [1] }), 3);
    expect(r?.left.map((l) => [l.entry.txid, l.reason])).toEqual([
      [id(a), 'size'],
      [id(b), 'size'],
    ]);
    expect(v.size).toBe(2);
  });

  it('knows a fee when every input is a view or block output, and a child\'s fee once its parent arrives', () => {
    const v = new MempoolView(limits);
    const funding = mkTx({ ins: [[fundingTxid(7), 0]], outs: [10_000, 20_000] });
    v.confirm([mkCoinbase(1), funding]);
    const parent = mkTx({ ins: [[funding, 0], [funding, 1]], outs: [29_000], sequence: SIGNAL });
    const child = mkTx({ ins: [[parent, 0]], outs: [27_000] });
    // The child first: its parent is unknown, so is its fee.
    const c = v.add(child, 1);
    expect(c?.known).toBeUndefined();
    const p = v.add(parent, 2);
    expect(p?.known?.fee).toBe(1_000);
    expect(p?.known?.prevouts).toEqual(funding.outputs.map((o) => ({ value: Number(o.value), script: Buffer.from(o.script).toString('hex') })));
    expect(p?.known?.effectiveFeerate).toBeUndefined();
    expect(v.get(child.txid)?.fee).toBe(2_000);
    expect(v.known).toEqual({ count: 2, vsize: parent.vsize + child.vsize });
    // In order, the child's line has its fee and its package's feerate (CPFP).
    const w = new MempoolView(limits);
    w.confirm([mkCoinbase(1), funding]);
    w.add(parent, 1);
    const c2 = w.add(child, 2);
    expect(c2?.known?.fee).toBe(2_000);
    expect(c2?.known?.prevouts).toEqual([{ value: 29_000, script: Buffer.from(parent.outputs[0].script).toString('hex') }]);
    expect(c2?.known?.effectiveFeerate).toBeCloseTo(3_000 / (parent.vsize + child.vsize), 9);
    // An unknown input: no fee at all, never 0.
    const mixed = mkTx({ ins: [[parent, 0], [fundingTxid(8), 0]], outs: [1], tag: 4 });
    expect(w.add(mixed, 3)?.known).toBeUndefined();
    // A child of an output past the first 8 (indexed apart from the parent's own entry), first too.
    const wide = mkTx({ ins: [[funding, 0], [funding, 1]], outs: Array.from({ length: 12 }, () => 2_000), tag: 5 });
    const late = mkTx({ ins: [[wide, 10]], outs: [1_500] });
    const x = new MempoolView(limits);
    x.confirm([mkCoinbase(1), funding]);
    expect(x.add(late, 1)?.known).toBeUndefined();
    expect(x.add(wide, 2)?.known?.fee).toBe(6_000);
    expect(x.get(late.txid)?.fee).toBe(500);
  });
});

/** A transaction of the property test: which of a few funding outputs or earlier transactions' outputs it spends. */
interface Made {
  readonly tx: DecodedTx;
  readonly parents: readonly number[];
}

/**
 * What Core's mempool would hold after these arrivals, by brute force: each arrival removes every
 * held one sharing an outpoint, and their descendants; one spending an output of a removed one
 * (not back since) is an orphan, never held.
 */
function model(txs: readonly DecodedTx[]): Set<string> {
  const held: DecodedTx[] = [];
  const removed = new Set<string>();
  const outpoint = (t: DecodedTx, i: number) => `${id({ txid: t.inputs[i].prevTxid } as DecodedTx)}:${t.inputs[i].prevIndex}`;
  for (const t of txs) {
    if (held.some((h) => id(h) === id(t))) continue;
    if (t.inputs.some((x) => removed.has(toReversedHex(x.prevTxid)) && !held.some((h) => id(h) === toReversedHex(x.prevTxid)))) continue;
    const mine = new Set(t.inputs.map((_, i) => outpoint(t, i)));
    const gone = new Set(held.filter((h) => h.inputs.some((_, i) => mine.has(outpoint(h, i)))).map(id));
    for (let grew = true; grew; ) {
      grew = false;
      for (const h of held) {
        if (!gone.has(id(h)) && h.inputs.some((x) => gone.has(toReversedHex(x.prevTxid)))) {
          gone.add(id(h));
          grew = true;
        }
      }
    }
    for (let i = held.length - 1; i >= 0; i--) if (gone.has(id(held[i]))) held.splice(i, 1);
    for (const g of gone) removed.add(g);
    held.push(t);
  }
  return new Set(held.map(id));
}

describe('MempoolView, a long chain', () => {
  // A peer's made-up chain, longer than a call's arguments may be (~125,000 here): what leaves with
  // its root was once spread into push(), and a RangeError took the crawler down.
  const LONG = 150_000;
  const chain: DecodedTx[] = [];
  beforeAll(() => {
    chain.push(mkTx({ ins: [[fundingTxid(1), 0]], outs: [100_000_000] }));
    for (let i = 1; i < LONG; i++) chain.push(mkTx({ ins: [[chain[i - 1], 0]], outs: [100_000_000 - i] }));
  });
  const held = (v: MempoolView): MempoolView => {
    chain.forEach((t, i) => v.add(t, i));
    expect(v.size).toBe(LONG);
    return v;
  };
  const whole = (left: readonly Left[], reason: string): void => {
    expect(left).toHaveLength(LONG);
    expect(left.every((l, i) => l.entry.txid === id(chain[i]) && l.reason === reason && l.ancestor === (i === 0 ? undefined : id(chain[0])))).toBe(true);
  };

  it('leaves whole, a line each, when a block confirms a conflict of its root', () => {
    const v = held(new MempoolView({ ...limits, maxTxs: LONG }));
    const c = v.confirm([mkCoinbase(1), mkTx({ ins: [[fundingTxid(1), 0]], outs: [5], tag: 9 })]);
    whole(c.left, 'conflict');
    expect(v.size).toBe(0);
  });

  it('leaves whole when its root is the oldest past the bound, or expires', () => {
    const v = held(new MempoolView({ ...limits, maxTxs: LONG, maxAgeMs: 1e9 }));
    whole(v.add(mkTx({ ins: [[fundingTxid(2), 0]], outs: [5] }), LONG)?.left ?? [], 'size');
    expect(v.size).toBe(1);
    const w = held(new MempoolView({ ...limits, maxTxs: LONG, maxAgeMs: 1 }));
    whole(w.expire(LONG), 'expiry');
    expect(w.size).toBe(0);
  });

  it('leaves whole when a transaction of a block given back replaces its root', () => {
    const v = held(new MempoolView({ ...limits, maxTxs: LONG }));
    const back = v.unconfirm([mkCoinbase(1), mkTx({ ins: [[fundingTxid(1), 0]], outs: [5], tag: 9 })], LONG);
    expect(back.returned).toBe(1);
    whole(back.left, 'replaced');
    expect(v.size).toBe(1);
  });
});

describe('MempoolView, properties', () => {
  const arb = fc.array(fc.record({ parents: fc.uniqueArray(fc.nat(20), { minLength: 1, maxLength: 3 }), tag: fc.nat(3) }), { minLength: 1, maxLength: 25 });

  it('holds exactly what Core\'s replacement rules leave, its totals are the sums of what it holds, any arrival order', () => {
    fc.assert(
      fc.property(arb, fc.nat(), (specs, seed) => {
        // Parent j < 4 is a funding output; j ≥ 4 is output 0 of an earlier made transaction.
        const made: Made[] = [];
        specs.forEach((s, i) => {
          const ins = s.parents.map((j): [Uint8Array | DecodedTx, number] => (j < 4 || j - 4 >= made.length ? [fundingTxid(j % 4), 0] : [made[j - 4].tx, 0]));
          const hex = (p: Uint8Array | DecodedTx) => toReversedHex(p instanceof Uint8Array ? p : p.txid);
          const uniq = ins.filter((x, k) => ins.findIndex((y) => hex(y[0]) === hex(x[0])) === k);
          made.push({ tx: mkTx({ ins: uniq, outs: [1000 - i], tag: s.tag * 100 + i }), parents: s.parents });
        });
        const order = made.map((m) => m.tx);
        // A deterministic shuffle: children may come before parents.
        for (let i = order.length - 1, r = seed; i > 0; i--, r = (r * 1103515245 + 12345) >>> 0) {
          const j = r % (i + 1);
          [order[i], order[j]] = [order[j], order[i]];
        }
        const v = new MempoolView(limits);
        for (const t of order) v.add(t, 0);
        expect(new Set([...v.entries()].map((e) => e.txid))).toEqual(model(order));
        const held = [...v.entries()];
        expect(v.vsize).toBe(held.reduce((s, e) => s + e.vsize, 0));
        expect(v.known.count).toBe(held.filter((e) => e.fee !== undefined).length);
        // No outpoint spent twice, and the index of spends is exactly what is held.
        expect(v.store.table.count(SPENT)).toBe(held.reduce((s, e) => s + e.inputs, 0));
        // Every held one's ancestors in the view, as a walk of the held transactions finds them; again after a block confirmed the oldest.
        const ancestorsAsHeld = (): void => {
          const byId = new Map([...v.entries()].map((e) => [e.txid, order.find((t) => id(t) === e.txid)!]));
          for (const t of byId.values()) {
            const want = new Set<string>();
            for (const stack = [t]; stack.length > 0; ) {
              for (const input of stack.pop()!.inputs) {
                const p = byId.get(toReversedHex(input.prevTxid));
                if (p === undefined || want.has(id(p))) continue;
                stack.push(p);
                want.add(id(p));
              }
            }
            const got = ancestorsOf(v.store, v.store.find(t.txid))?.map((e) => v.store.txidHex(e));
            expect(new Set(got)).toEqual(want);
          }
        };
        ancestorsAsHeld();
        const oldest = order.find((t) => id(t) === held[0]?.txid);
        if (oldest) v.confirm([mkCoinbase(1), oldest]);
        ancestorsAsHeld();
        // The confirmed one's output is known, kept with it: a spender's fee is exact (replacing a held spender of it or not).
        if (oldest) expect(v.add(mkTx({ ins: [[oldest, 0]], outs: [1], tag: 999 }), 1)?.known?.fee).toBe(Number(oldest.outputs[0].value) - 1);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws, and its index is what it holds, whatever peers relay and blocks bring: invalid transactions, blocks spending an outpoint twice or outputs nobody made, reorgs, expiry', () => {
    // A transaction: inputs from funding outputs or earlier ones' outputs (repeats allowed: invalid), a version, output values (one past 21 million BTC at times).
    const arbTx = fc.record({
      ins: fc.array(fc.record({ from: fc.nat(11), vout: fc.nat(2) }), { minLength: 1, maxLength: 4 }),
      outs: fc.array(fc.constantFrom(1, 500, 1000, 2_100_000_000_000_001), { minLength: 1, maxLength: 3 }),
      version: fc.constantFrom(2, 3),
      tag: fc.nat(3),
    });
    const arbOp = fc.oneof(
      fc.record({ op: fc.constant('add' as const), i: fc.nat(15) }),
      fc.record({ op: fc.constant('confirm' as const), is: fc.array(fc.nat(15), { maxLength: 4 }) }),
      fc.record({ op: fc.constant('unconfirm' as const), is: fc.array(fc.nat(15), { maxLength: 4 }) }),
      fc.record({ op: fc.constant('expire' as const), at: fc.nat(50) }),
    );
    fc.assert(
      fc.property(fc.array(arbTx, { minLength: 1, maxLength: 16 }), fc.array(arbOp, { minLength: 1, maxLength: 30 }), (specs, ops) => {
        const txs: DecodedTx[] = [];
        for (const [k, t] of specs.entries()) {
          const ins = t.ins.map(({ from, vout }): [Uint8Array | DecodedTx, number] => (from < 4 || from - 4 >= txs.length ? [fundingTxid(from % 4), vout] : [txs[from - 4], vout]));
          txs.push(mkTx({ ins, outs: t.outs, version: t.version, tag: t.tag * 100 + k }));
        }
        const pick = (i: number): DecodedTx => txs[i % txs.length];
        const v = new MempoolView({ ...limits, maxTxs: 8, maxAgeMs: 20 }, 3, 6);
        let height = 0;
        for (const [time, o] of ops.entries()) {
          if (o.op === 'add') v.add(pick(o.i), time);
          else if (o.op === 'confirm') v.confirm([mkCoinbase(++height), ...o.is.map(pick)]);
          else if (o.op === 'unconfirm') v.unconfirm([mkCoinbase(height), ...o.is.map(pick)], time);
          else v.expire(o.at);
          const held = [...v.entries()];
          expect(held.length).toBe(v.size);
          expect(v.vsize).toBe(held.reduce((n, e) => n + e.vsize, 0));
          expect(v.known.count).toBe(held.filter((e) => e.fee !== undefined).length);
          expect(v.store.table.count(SPENT)).toBe(held.reduce((n, e) => n + e.inputs, 0));
          expect(v.size).toBeLessThanOrEqual(8);
          // A TX entry for each held transaction and each one kept for its outputs, no more.
          expect(v.store.table.count(TX)).toBe(v.size + v.store.kept.count);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('MempoolView, storage', () => {
  it('keeps every held transaction\'s outputs through the arena\'s growth and compactions: children\'s fees stay exact', () => {
    const v = new MempoolView({ ...limits, maxTxs: 100_000 });
    // 4,000 parents of ~170 packed bytes each (~680 KB: the 64 KB arena grows, then is compacted as blocks take half).
    const parents = Array.from({ length: 4000 }, (_, i) => mkTx({ ins: [[fundingTxid(i), 0]], outs: [10_000 + i, 20_000 + i], tag: i % 256 }));
    for (const p of parents) v.add(p, 0);
    // Blocks confirm every other parent, in 8 blocks; new parents arrive between them.
    const later = Array.from({ length: 4000 }, (_, i) => mkTx({ ins: [[fundingTxid(10_000 + i), 0]], outs: [30_000 + i], tag: (i + 7) % 256 }));
    for (let b = 0; b < 8; b++) {
      v.confirm([mkCoinbase(b), ...parents.filter((_, i) => i % 2 === 0 && i % 8 === b)]);
      for (const t of later.slice(b * 500, b * 500 + 500)) v.add(t, 1);
    }
    expect(v.size).toBe(2000 + 4000);
    // A child of each held parent spends both its outputs: its fee is known and exact.
    parents.forEach((p, i) => {
      if (i % 2 === 0) return;
      const child = mkTx({ ins: [[p, 0], [p, 1]], outs: [1_000], tag: i % 256 });
      const known = v.add(child, 2)?.known;
      expect(known?.fee, `child of parent ${i}`).toBe(10_000 + i + 20_000 + i - 1_000);
      expect(known?.prevouts.map((o) => o.script)).toEqual(p.outputs.map((o) => Buffer.from(o.script).toString('hex')));
    });
    // And of the confirmed ones: kept in their slots, their ranges moved by the compactions too.
    parents.forEach((p, i) => {
      if (i % 2 !== 0) return;
      const known = v.add(mkTx({ ins: [[p, 1]], outs: [5_000], tag: (i + 1) % 256 }), 3)?.known;
      expect(known?.fee, `child of confirmed parent ${i}`).toBe(20_000 + i - 5_000);
      expect(known?.prevouts[0].script).toBe(Buffer.from(p.outputs[1].script).toString('hex'));
    });
  });
});

describe('MempoolView, index collisions', () => {
  it('tells apart transactions whose txids share the hashed 32 bits: each held, spent and replaced on its own', () => {
    // The view hashes bytes 0..3 here (offset 0): two made-up txids equal there, different after.
    const v = new MempoolView(limits, 0);
    const withTxid = (t: DecodedTx, first: number, rest: number): DecodedTx => {
      const txid = new Uint8Array(32).fill(rest);
      txid.set([first, first, first, first]);
      return { ...t, txid };
    };
    const a = withTxid(mkTx({ ins: [[fundingTxid(1), 0]], outs: [1_000] }), 7, 1);
    const b = withTxid(mkTx({ ins: [[fundingTxid(2), 0]], outs: [2_000] }), 7, 2);
    v.add(a, 0);
    v.add(b, 0);
    expect(v.size).toBe(2);
    expect(v.get(a.txid)?.txid).toBe(id(a));
    expect(v.get(b.txid)?.txid).toBe(id(b));
    // Children of each: fees from the right parent's output.
    const ca = mkTx({ ins: [[a, 0]], outs: [900] });
    const cb = mkTx({ ins: [[b, 0]], outs: [1_500] });
    expect(v.add(ca, 1)?.known?.fee).toBe(100);
    expect(v.add(cb, 1)?.known?.fee).toBe(500);
    // Replacing a's child leaves b's alone.
    const ca2 = mkTx({ ins: [[a, 0]], outs: [800], tag: 3 });
    expect(summary(v.add(ca2, 2)?.left ?? []).map((l) => l.txid)).toEqual([id(ca)]);
    expect(v.size).toBe(4);
    expect(v.store.table.count(SPENT)).toBe(4);
  });
});

describe('MempoolView, storage in chunks', () => {
  it('keeps the outputs of transactions that stay while the ones around them leave: chunks let go, reused and compacted (4 MB each, ~12 MB of scripts here)', () => {
    const v = new MempoolView({ ...limits, maxTxs: 100_000 });
    // Parents with a 10,000-byte output script each: 400 fill a chunk.
    const big = (i: number, round: number): DecodedTx => {
      const t = mkTx({ ins: [[fundingTxid(round * 10_000 + i), 0]], outs: [50_000 + i], tag: i % 256 });
      const script = new Uint8Array(10_000).fill((i * 7 + round) % 256);
      script[0] = 0x51; // OP_1: not OP_RETURN
      return { ...t, outputs: [{ value: t.outputs[0].value, script }] };
    };
    const stay: DecodedTx[] = [];
    for (let round = 0; round < 3; round++) {
      const parents = Array.from({ length: 1_200 }, (_, i) => big(i, round));
      for (const p of parents) v.add(p, round);
      // A block takes nine in ten: the tenth stays, one in every few chunk-fuls of the arena.
      v.confirm([mkCoinbase(round), ...parents.filter((_, i) => i % 10 !== 0)]);
      stay.push(...parents.filter((_, i) => i % 10 === 0));
    }
    expect(v.size).toBe(stay.length);
    stay.forEach((p, i) => {
      const known = v.add(mkTx({ ins: [[p, 0]], outs: [1_000], tag: i % 256 }), 5)?.known;
      expect(known?.fee, `child of ${i}`).toBe(Number(p.outputs[0].value) - 1_000);
      expect(known?.prevouts[0].script).toBe(Buffer.from(p.outputs[0].script).toString('hex'));
    });
    // The confirmed ones are kept for their outputs (~32 MB of scripts, within KEPT_BYTES_MAX): beside them, chunks were let go.
    expect(v.store.kept.bytes).toBeGreaterThan(30e6);
    expect(v.store.heldBytes - v.store.kept.bytes).toBeLessThan(40e6);
  });
});

describe('MempoolView, confirmed transactions kept for their outputs', () => {
  const script = (t: DecodedTx, i: number): string => Buffer.from(t.outputs[i].script).toString('hex');

  it('keeps a transaction it held once a block confirms it: a child seen after has its fee from it; the kept one is out of the view, and not taken again when relayed', () => {
    const v = new MempoolView(limits, 1);
    const parent = mkTx({ ins: [[fundingTxid(1), 0]], outs: [10_000, 20_000] });
    v.add(parent, 1);
    expect(v.confirm([mkCoinbase(1), parent]).confirmed).toEqual([{ index: 1, time: 1 }]);
    expect([v.size, v.vsize, v.get(parent.txid), [...v.entries()]]).toEqual([0, 0, undefined, []]);
    expect(v.store.kept.count).toBe(1);
    const child = mkTx({ ins: [[parent, 0], [parent, 1]], outs: [29_000] });
    const known = v.add(child, 2)?.known;
    expect(known?.fee).toBe(1_000);
    expect(known?.prevouts).toEqual([{ value: 10_000, script: script(parent, 0) }, { value: 20_000, script: script(parent, 1) }]);
    // Confirmed: no ancestor in the view, so no package feerate.
    expect(known?.effectiveFeerate).toBeUndefined();
    expect(v.add(parent, 3)).toBeUndefined();
    expect([v.size, v.vsize]).toEqual([1, child.vsize]);
    expect(v.oldestAge(2_001)).toBe(2);
  });

  it('marks the outputs a later block spends: a transaction spending one then has no fee, the other output still gives one', () => {
    const v = new MempoolView(limits, 2);
    const parent = mkTx({ ins: [[fundingTxid(1), 0]], outs: [10_000, 20_000] });
    v.add(parent, 1);
    v.confirm([mkCoinbase(1), parent]);
    // A block with a spender of output 0 the view never saw.
    v.confirm([mkCoinbase(2), mkTx({ ins: [[parent, 0]], outs: [9_000] })]);
    expect(v.add(mkTx({ ins: [[parent, 0]], outs: [8_000], tag: 1 }), 2)?.known).toBeUndefined();
    expect(v.add(mkTx({ ins: [[parent, 1]], outs: [19_000], tag: 2 }), 3)?.known?.fee).toBe(1_000);
    // A block spending a kept parent and its child together, the child after it: both marked.
    const a = mkTx({ ins: [[fundingTxid(2), 0]], outs: [5_000] });
    const b = mkTx({ ins: [[a, 0]], outs: [4_000] });
    v.add(a, 4);
    v.add(b, 5);
    v.confirm([mkCoinbase(3), a, b]);
    expect(v.add(mkTx({ ins: [[a, 0]], outs: [1], tag: 3 }), 6)?.known).toBeUndefined();
    expect(v.add(mkTx({ ins: [[b, 0]], outs: [3_000], tag: 4 }), 7)?.known?.fee).toBe(1_000);
  });

  it('keeps at most `confirmedMax` outputs of them, the oldest going first, and gives their slots to the view first', () => {
    // 11 slots (maxTxs + 1); outputs of confirmed transactions kept: 6.
    const v = new MempoolView({ ...limits, maxTxs: 10 }, 3, 6);
    const parents = Array.from({ length: 5 }, (_, i) => mkTx({ ins: [[fundingTxid(10 + i), 0]], outs: [10_000, 20_000] }));
    parents.forEach((p, i) => v.add(p, i));
    v.confirm([mkCoinbase(1), ...parents]);
    expect([v.store.kept.count, v.store.kept.outputs]).toEqual([3, 6]);
    const childOf = (p: DecodedTx, tag: number): DecodedTx => mkTx({ ins: [[p, 0]], outs: [9_000], tag });
    expect(v.add(childOf(parents[0], 1), 10)?.known).toBeUndefined();
    expect(v.add(childOf(parents[1], 2), 11)?.known).toBeUndefined();
    for (const [k, p] of parents.slice(2).entries()) expect(v.add(childOf(p, 3 + k), 12)?.known?.fee, `parent ${2 + k}`).toBe(1_000);
    expect(v.size).toBe(5);
    // Five more fill the view's ten: each slot past the 11 made is a kept one's, the oldest first, and nothing leaves the view.
    const left: Left[] = [];
    for (let i = 0; i < 5; i++) left.push(...(v.add(mkTx({ ins: [[fundingTxid(100 + i), 0]], outs: [1] }), 20)?.left ?? []));
    expect([v.size, left]).toEqual([10, []]);
    expect(v.store.kept.count).toBeLessThan(3);
    expect(v.store.kept.count).toBeGreaterThan(0);
    // One more: the view's oldest goes for size, the kept ones silently.
    const over = v.add(mkTx({ ins: [[fundingTxid(200), 0]], outs: [1] }), 21);
    expect(over?.left.map((l) => [l.entry.txid, l.reason])).toEqual([[id(childOf(parents[0], 1)), 'size']]);
    expect([v.size, v.store.kept.count]).toEqual([10, 0]);
  });

  it('keeps their outputs exact through the arena\'s compactions, within their bound in bytes', () => {
    // 10,000-byte scripts: 400 fill a 4 MB chunk. Kept: 20,000 outputs' worth of bytes (2.56 MB), ~250 such transactions.
    const v = new MempoolView({ ...limits, maxTxs: 100_000 }, 5, 20_000);
    const big = (i: number): DecodedTx => {
      const t = mkTx({ ins: [[fundingTxid(50_000 + i), 0]], outs: [50_000 + i], tag: i % 256 });
      const script = new Uint8Array(10_000).fill(i % 251);
      script[0] = 0x51;
      return { ...t, outputs: [{ value: t.outputs[0].value, script }] };
    };
    const confirmed: DecodedTx[] = [];
    let movedWhileKept = 0;
    for (let round = 0; round < 4; round++) {
      const txs = Array.from({ length: 1_200 }, (_, i) => big(round * 1_200 + i));
      const before = v.store.compactions;
      for (const t of txs) v.add(t, round);
      if (v.store.kept.count > 0) movedWhileKept += v.store.compactions - before;
      // The last kept ones (the previous block's last), through this round's compactions: each child's fee exact.
      const kept = confirmed.slice(confirmed.length - v.store.kept.count);
      kept.forEach((p, k) => {
        const known = v.add(mkTx({ ins: [[p, 0]], outs: [1_000], tag: k % 256 }), round)?.known;
        expect(known?.fee, `round ${round}, kept ${k}`).toBe(Number(p.outputs[0].value) - 1_000);
        expect(known?.prevouts[0].script).toBe(Buffer.from(p.outputs[0].script).toString('hex'));
      });
      // Nine in ten confirmed, the tenth stays.
      const block = txs.filter((_, i) => i % 10 !== 0);
      v.confirm([mkCoinbase(round), ...block]);
      confirmed.push(...block);
      expect(v.store.kept.bytes).toBeLessThanOrEqual(20_000 * 128);
      expect(v.store.kept.count).toBeGreaterThan(200);
    }
    expect(movedWhileKept).toBeGreaterThan(0);
    // The oldest confirmed went first.
    expect(v.add(mkTx({ ins: [[confirmed[0], 0]], outs: [1_000] }), 9)?.known).toBeUndefined();
  });

  it('lets kept ones expire silently, and reads the oldest age past them', () => {
    const v = new MempoolView({ ...limits, maxAgeMs: 100_000 }, 4);
    const a = mkTx({ ins: [[fundingTxid(1), 0]], outs: [1_000] });
    const b = mkTx({ ins: [[fundingTxid(2), 0]], outs: [1_000] });
    v.add(a, 0);
    v.add(b, 50_000);
    v.confirm([mkCoinbase(1), a]);
    expect(v.oldestAge(60_000)).toBe(10);
    expect(v.expire(100_000)).toEqual([]);
    expect([v.size, v.store.kept.count]).toEqual([1, 0]);
    expect(v.add(mkTx({ ins: [[a, 0]], outs: [1] }), 100_001)?.known).toBeUndefined();
  });
});

describe('MempoolView, recent outputs of transactions it never saw', () => {
  it('knows a received block\'s coinbase outputs: a transaction spending one (mature, on a quiet network) has its fee', () => {
    const v = new MempoolView(limits, 6);
    const coinbase = mkCoinbase(1);
    const paid = { ...coinbase, outputs: [{ value: 5_000_000_000n, script: Uint8Array.of(0x00, 0x14, ...new Uint8Array(20).fill(7)) }, ...coinbase.outputs] };
    v.confirm([paid]);
    expect(v.add(mkTx({ ins: [[paid, 0]], outs: [4_999_990_000] }), 1)?.known?.fee).toBe(10_000);
  });

  it('keeps at most LONG_SCRIPT_BYTES_MAX of long scripts: past it an output is not kept, and room comes back as they are spent', () => {
    const v = new MempoolView(limits, 6);
    const long = (n: number): DecodedTx => {
      const t = mkTx({ ins: [[fundingTxid(70_000 + n), 0]], outs: [40_000 + n], tag: n % 256 });
      const script = new Uint8Array(10_000).fill(n % 251);
      script[0] = 0x51;
      return { ...t, outputs: [{ value: t.outputs[0].value, script }] };
    };
    const fee = (p: DecodedTx, tag: number): number | undefined => v.add(mkTx({ ins: [[p, 0]], outs: [1_000], tag }), 1)?.known?.fee;
    // 450 of 10,000 bytes: 400 fit in 4,000,000.
    const first = Array.from({ length: 450 }, (_, n) => long(n));
    v.confirm([mkCoinbase(1), ...first]);
    expect(fee(first[399], 1)).toBe(40_399 - 1_000);
    expect(fee(first[400], 2)).toBeUndefined();
    // A block spends 100 of them: room for 100 more.
    v.confirm([mkCoinbase(2), ...first.slice(0, 100).map((p, n) => mkTx({ ins: [[p, 0]], outs: [1], tag: 100 + n }))]);
    const more = Array.from({ length: 101 }, (_, n) => long(1_000 + n));
    v.confirm([mkCoinbase(3), ...more]);
    expect(fee(more[99], 3)).toBe(41_099 - 1_000);
    expect(fee(more[100], 4)).toBeUndefined();
  });
});
