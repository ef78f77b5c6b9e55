/** The mempool's open-addressing index (lib/mempool/index.ts) against a Map, over random inserts and removes. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HashIndex } from '../../lib/mempool/index.js';

describe('HashIndex', () => {
  it('finds, refuses and removes exactly what a Map keyed by (hash, value) would, through growth, shrinking and colliding hashes (mostly inserts, then drained)', () => {
    // A key is (hash, value, aux); few distinct hashes, so that probes run through colliding entries
    // and removals shift them back. eq compares the value and aux the caller looks for.
    // A removal picks a held key most of the time (`pick`), so that removals hit and shift entries back.
    const op = fc.record({ insert: fc.nat(3).map((n) => n > 0), hash: fc.oneof(fc.nat(7), fc.nat(0xffffffff)), val: fc.nat(400), aux: fc.nat(2), pick: fc.option(fc.nat(), { freq: 4 }) });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1000, maxLength: 3000 }), (ops) => {
        let want = { val: 0, aux: 0 };
        const idx = new HashIndex((val, aux) => val === want.val && aux === want.aux);
        const model = new Map<string, [number, number, number]>();
        for (const o of ops) {
          const held = [...model.values()];
          const [h, val, aux] = !o.insert && o.pick !== null && held.length > 0 ? held[o.pick % held.length] : [o.hash, o.val, o.aux];
          const k = `${h}/${val}/${aux}`;
          want = { val, aux };
          if (o.insert) {
            expect(idx.insert(h, val, aux)).toBe(!model.has(k));
            model.set(k, [h, val, aux]);
          } else {
            expect(idx.remove(h, val, aux)).toBe(model.delete(k));
          }
          expect(idx.find(h)).toBe(model.has(k) ? val : -1);
          expect(idx.size).toBe(model.size);
        }
        for (const [h, val, aux] of model.values()) {
          want = { val, aux };
          expect(idx.find(h)).toBe(val);
        }
        // Drained, the table halves back down: every key still found until removed.
        const rest = [...model.values()];
        rest.forEach(([h, val, aux], n) => {
          want = { val, aux };
          expect(idx.remove(h, val, aux)).toBe(true);
          expect(idx.find(h)).toBe(-1);
          const [h2, val2, aux2] = rest[rest.length - 1];
          want = { val: val2, aux: aux2 };
          if (n < rest.length - 1) expect(idx.find(h2)).toBe(val2);
        });
        expect(idx.size).toBe(0);
        expect(idx.bytes).toBe(1024 * 12);
      }),
      { numRuns: 40, endOnFailure: true },
    );
  });
});
