/** The mempool's open-addressing index (lib/mempool/index.ts) against a Map, over random inserts and removes. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HashIndex } from '../../lib/mempool/index.js';

describe('HashIndex', () => {
  it('finds, refuses and removes exactly what a Map keyed by (hash, value) would, through growth, shrinking and colliding hashes', () => {
    // A key is (hash, value, aux); few distinct hashes, so that probes run through colliding entries
    // and removals shift them back. eq compares the value and aux the caller looks for.
    const op = fc.record({ insert: fc.boolean(), hash: fc.oneof(fc.nat(7), fc.nat(0xffffffff)), val: fc.nat(3000), aux: fc.nat(2) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
        let want = { val: 0, aux: 0 };
        const idx = new HashIndex((val, aux) => val === want.val && aux === want.aux);
        const model = new Map<string, number>();
        const key = (h: number, val: number, aux: number): string => `${h}/${val}/${aux}`;
        for (const o of ops) {
          const k = key(o.hash, o.val, o.aux);
          want = { val: o.val, aux: o.aux };
          if (o.insert) {
            expect(idx.insert(o.hash, o.val, o.aux)).toBe(!model.has(k));
            model.set(k, o.val);
          } else {
            expect(idx.remove(o.hash, o.val, o.aux)).toBe(model.delete(k));
          }
          expect(idx.find(o.hash)).toBe(model.has(k) ? o.val : -1);
          expect(idx.size).toBe(model.size);
        }
        for (const k of model.keys()) {
          const [h, val, aux] = k.split('/').map(Number);
          want = { val, aux };
          expect(idx.find(h)).toBe(val);
        }
      }),
      { numRuns: 60 },
    );
  });
});
