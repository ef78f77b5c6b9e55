/** The view's one table (lib/mempool/table.ts) against a Map, over random inserts and removes of the three kinds of entry. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CONF, SPENT, TX, TxidTable, type Keys } from '../../lib/mempool/table.js';

/**
 * A txid is an id here, written in the query's byte; its hash is one of a few values (so that probes
 * run through entries of other txids with the same hash, and removals shift them back), the
 * table's owner tells txids apart by the id each payload was inserted for.
 */
describe('TxidTable', () => {
  it('finds, refuses and removes exactly what a Map keyed by (txid, kind, vout) would, through growth, shrinking and colliding hashes', () => {
    const op = fc.record({
      insert: fc.nat(3).map((n) => n > 0),
      id: fc.nat(30),
      kind: fc.constantFrom(TX, SPENT, CONF),
      // Vouts in the first group, in others, and the largest (a coinbase's prevout index).
      vout: fc.oneof(fc.nat(7), fc.nat(40), fc.constant(0xffffffff)),
      aux: fc.nat(1 << 20),
      pick: fc.option(fc.nat(), { freq: 4 }),
    });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1000, maxLength: 3000 }), fc.nat(3), (ops, hashes) => {
        // The owner knows each payload's txid and vout, as the store and the ring do.
        const owner = new Map<number, [number, number]>(); // payload → [id, vout]
        const keys: Keys = { same: (_kind, payload, _aux, q, at, vout) => owner.get(payload)?.[0] === q[at] && owner.get(payload)?.[1] === vout };
        const t = new TxidTable(0);
        t.txs = keys;
        t.outputs = keys;
        const hash = (id: number): number => (hashes === 0 ? id * 0x9e3779b1 : id % (hashes + 1)) | 0;
        type Entry = { id: number; kind: number; vout: number; payload: number; aux: number };
        const model = new Map<string, Entry>();
        const key = (id: number, kind: number, vout: number): string => `${id}/${kind}/${kind === TX ? 0 : vout}`;
        const q = (id: number): Uint8Array => Uint8Array.of(id);
        let next = 0;
        for (const o of ops) {
          const held = [...model.values()];
          const picked = !o.insert && o.pick !== null && held.length > 0 ? held[o.pick % held.length] : undefined;
          const id = picked?.id ?? o.id;
          const kind = picked?.kind ?? o.kind;
          const vout = kind === TX ? 0 : (picked?.vout ?? o.vout);
          const k = key(id, kind, vout);
          if (o.insert) {
            const payload = next++;
            owner.set(payload, [id, vout]);
            const added = t.insert(hash(id), kind, vout, payload, kind === SPENT ? o.aux : 0, q(id), 0);
            expect(added).toBe(!model.has(k));
            if (added) model.set(k, { id, kind, vout, payload, aux: kind === SPENT ? o.aux : 0 });
          } else {
            const e = picked ?? model.get(k);
            expect(t.remove(hash(id), kind, vout, e?.payload ?? -1, e?.aux ?? 0)).toBe(e !== undefined);
            model.delete(k);
          }
          const i = t.find(hash(id), kind, vout, q(id), 0);
          const want = model.get(k);
          expect(i < 0 ? undefined : [t.payload(i), t.aux(i)]).toEqual(want && [want.payload, want.aux]);
          expect(t.size).toBe(model.size);
        }
        for (const e of model.values()) expect(t.payload(t.find(hash(e.id), e.kind, e.vout, q(e.id), 0))).toBe(e.payload);
        for (const kind of [TX, SPENT, CONF]) expect(t.count(kind)).toBe([...model.values()].filter((e) => e.kind === kind).length);
        // Drained, the table halves back down: every entry still found until removed.
        const rest = [...model.values()];
        rest.forEach((e, n) => {
          expect(t.remove(hash(e.id), e.kind, e.vout, e.payload, e.aux)).toBe(true);
          expect(t.find(hash(e.id), e.kind, e.vout, q(e.id), 0)).toBe(-1);
          const last = rest[rest.length - 1];
          if (n < rest.length - 1) expect(t.payload(t.find(hash(last.id), last.kind, last.vout, q(last.id), 0))).toBe(last.payload);
        });
        expect(t.size).toBe(0);
        expect(t.bytes).toBe(1024 * 12);
      }),
      { numRuns: 40, endOnFailure: true },
    );
  });

  it('spreads a transaction\'s many outputs over many homes: 100,000 spent outpoints and 100,000 recent outputs of one txid leave probes short', () => {
    const t = new TxidTable(0);
    // One txid; an output's entries carry its vout as their payload.
    const keys: Keys = { same: (kind, payload, _aux, _q, _at, vout) => kind === TX || payload === vout };
    t.txs = keys;
    t.outputs = keys;
    const q = new Uint8Array(32);
    const h = t.hash(q);
    t.insert(h, TX, 0, 0, 0, q, 0);
    for (let v = 0; v < 100_000; v++) {
      t.insert(h, SPENT, v, v, v, q, 0);
      t.insert(h, CONF, v, v, 0, q, 0);
    }
    expect(t.size).toBe(200_001);
    // At one home, a probe would read 200,000 entries; a group's 17 share one, and the groups' homes spread.
    expect(t.longestRun()).toBeLessThan(200);
    expect(t.find(h, SPENT, 99_999, q, 0)).toBeGreaterThanOrEqual(0);
  });
});
