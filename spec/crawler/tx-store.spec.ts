/**
 * The transaction store's ring: whatever sizes come, it holds the newest transactions in arrival
 * order, byte for byte, within its bound, and lets an old one go only to make room.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TxStore } from '../../lib/crawler/tx-store.js';
import type { DecodedTx } from '../../lib/wire/model.js';
import { toHex } from '../../lib/wire/hex.js';

/** Header bytes an entry takes beside its transaction (length + wtxid). */
const HEADER = 36;

function entry(i: number, size: number): DecodedTx {
  const wtxid = new Uint8Array(32);
  new DataView(wtxid.buffer).setUint32(0, i, true);
  const raw = new Uint8Array(size).fill(i & 0xff);
  if (size >= 4) new DataView(raw.buffer).setUint32(0, i, true);
  return { wtxid, raw } as unknown as DecodedTx;
}

function held(store: TxStore): Array<{ wtxid: string; raw: string }> {
  const out: Array<{ wtxid: string; raw: string }> = [];
  store.scan((ring, at) => {
    out.push({ wtxid: toHex(ring.subarray(TxStore.wtxidAt(at), TxStore.wtxidAt(at) + 32)), raw: toHex(store.raw(at)) });
    return true;
  });
  return out;
}

describe('the transaction store', () => {
  it('holds the newest entries, oldest first, byte for byte, within its bound, evicting only to make room', () => {
    fc.assert(
      fc.property(fc.integer({ min: 64, max: 4_096 }), fc.array(fc.integer({ min: 0, max: 1_500 }), { maxLength: 300 }), (max, sizes) => {
        const store = new TxStore(max);
        const added: DecodedTx[] = [];
        let biggest = 0;
        for (const [i, size] of sizes.entries()) {
          const tx = entry(i, size);
          store.add(tx);
          if (HEADER + size <= max - 4) {
            added.push(tx);
            biggest = Math.max(biggest, HEADER + size);
          }
          expect(store.bytes).toBeLessThanOrEqual(max);
          const kept = added.slice(added.length - store.size);
          expect(held(store)).toEqual(kept.map((t) => ({ wtxid: toHex(t.wtxid), raw: toHex(t.raw) })));
          expect(store.bytes).toBe(kept.reduce((n, t) => n + HEADER + t.raw.length, 0));
          // Nothing left that would have fitted: at most the end's unused bytes and one entry short.
          if (store.size < added.length) expect(store.bytes + 2 * biggest + 4).toBeGreaterThanOrEqual(max);
        }
      }),
    );
  });

  it('stops a scan when told to', () => {
    const store = new TxStore(10_000);
    for (let i = 0; i < 5; i++) store.add(entry(i, 100));
    let visited = 0;
    store.scan(() => ++visited < 2);
    expect(visited).toBe(2);
  });

  it('keeps no transaction larger than the whole ring, and keeps what it held', () => {
    const store = new TxStore(1_000);
    store.add(entry(1, 100));
    store.add(entry(2, 1_000));
    expect(held(store).map((e) => e.raw)).toEqual([toHex(entry(1, 100).raw)]);
  });
});
