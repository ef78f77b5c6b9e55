import { randomFillSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OPEN_CHUNK_MS, TXID_HISTORY_MS, TxidHistory } from '../../lib/crawler/txid-history.js';
import { MB, retainedBytes } from '../support/memory.js';

const DAY_MS = 24 * 3_600_000;
/** The bound: two weeks of 1,000,000 transactions a day in at most this. */
const HISTORY_BOUND_BYTES = 150 * MB;

/** `n` random 32-byte ids, as views into one buffer. */
function randomIds(n: number): Uint8Array[] {
  const buf = randomFillSync(new Uint8Array(n * 32));
  return Array.from({ length: n }, (_, i) => buf.subarray(i * 32, i * 32 + 32));
}

describe('TxidHistory', () => {
  it('remembers a txid for two weeks and forgets it a day after at most', () => {
    const h = new TxidHistory();
    const [a, b] = randomIds(2);
    expect(h.add(a, 0)).toBe(true);
    expect(h.add(a, 1)).toBe(false);
    expect(h.has(b, 1)).toBe(false);
    // Keep the clock moving with other txids, one every 10 minutes, so that chunks freeze and merge.
    const others = randomIds(TXID_HISTORY_MS / 600_000);
    others.forEach((id, i) => h.add(id, (i + 1) * 600_000));
    expect(h.has(a, TXID_HISTORY_MS)).toBe(true);
    expect(h.has(a, TXID_HISTORY_MS + DAY_MS + 2 * OPEN_CHUNK_MS)).toBe(false);
    expect(h.has(others.at(-1)!, TXID_HISTORY_MS + DAY_MS + 2 * OPEN_CHUNK_MS)).toBe(true);
  });

  it('finds every id in every chunk, whatever the offset its fingerprint is read at', () => {
    for (const offset of [0, 11, 24]) {
      const h = new TxidHistory(offset);
      const ids = randomIds(70_000);
      ids.forEach((id, i) => h.add(id, i * 1_000));
      expect(ids.every((id) => h.has(id, ids.length * 1_000))).toBe(true);
      expect(randomIds(10_000).some((id) => h.has(id, ids.length * 1_000))).toBe(false);
    }
  });

  it('holds two weeks of 1,000,000 transactions a day in at most 150 MB, and takes no new one as seen', () => {
    const perDay = 1_000_000;
    const perPart = perDay / 10;
    // A tenth of a day's random ids at a time, copied one by one into `id`: the test allocates
    // nothing per id (14 million views and their collection were a third of this test's time),
    // and what it holds is allocated before the measurement starts.
    const words = new Uint32Array(perPart * 8);
    const id = new Uint8Array(32);
    const idWords = new Uint32Array(id.buffer);
    const sample: Uint8Array[] = [];
    const before = retainedBytes();
    const h = new TxidHistory();
    for (let day = 0; day < 14; day++) {
      for (let part = 0; part < 10; part++) {
        randomFillSync(words);
        const t0 = day * DAY_MS + (part * DAY_MS) / 10;
        for (let i = 0; i < perPart; i++) {
          for (let k = 0; k < 8; k++) idWords[k] = words[i * 8 + k];
          h.add(id, t0 + (i * DAY_MS) / perDay);
          if (day === 0 && part === 0 && i < 1_000) sample.push(id.slice());
        }
      }
    }
    const used = retainedBytes() - before;
    const now = 14 * DAY_MS - 1;
    expect(h.size).toBe(14 * perDay);
    expect(used).toBeLessThan(HISTORY_BOUND_BYTES);
    expect(sample.every((id) => h.has(id, now))).toBe(true);
    expect(randomIds(100_000).filter((id) => h.has(id, now))).toEqual([]);
  }, 120_000);
});
