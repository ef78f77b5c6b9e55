import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUCKET_RATIO, bucketCount, bucketOf, DelayHistogram, LINEAR_MS, TABLE_MS } from '../../lib/crawler/delay-histogram.js';
import { PeerSlots, PropagationTracker } from '../../lib/crawler/propagation.js';
import { percentile } from '../support/stats.js';

/** Any 32-byte hash: the tracker keeps it only for the line's name. */
const H = new Uint8Array(32).fill(7);

/** The error bound the README states: 2% or 1 ms, whichever is larger. */
const within = (got: number, want: number): boolean => Math.abs(got - want) <= Math.max(1, 0.02 * want);

describe('DelayHistogram', () => {
  it('finds every delay’s bucket in its table as the logarithm does, up to TABLE_MS and past it', () => {
    for (let ms = 0; ms <= TABLE_MS + 1_000; ms++) {
      const want = ms < LINEAR_MS ? ms : LINEAR_MS + Math.floor(Math.log(ms / LINEAR_MS) / Math.log(BUCKET_RATIO));
      if (bucketOf(ms) !== want) expect(bucketOf(ms), `${ms} ms`).toBe(want);
    }
  });

  it('is exact below LINEAR_MS and holds every percentile within 2% or 1 ms above, for any delays', () => {
    const WINDOW = 30_000;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: WINDOW }), { minLength: 1, maxLength: 400 }), fc.integer({ min: 1, max: 100 }), (delays, p) => {
        const h = new DelayHistogram(WINDOW);
        for (const d of delays) h.add(d);
        const want = percentile(delays, p);
        const got = h.percentile(p) ?? NaN;
        expect(within(got, want), `p${p}: got ${got}, true ${want}`).toBe(true);
        if (want < LINEAR_MS) expect(got).toBe(want);
        expect(h.count).toBe(delays.length);
        expect(h.max).toBe(Math.max(...delays));
      }),
      { numRuns: 500 },
    );
  });

  it('puts every delay up to the window in a bucket of its own span, and no bucket spans more than the ratio', () => {
    const n = bucketCount(600_000);
    for (let ms = 0; ms <= 600_000; ms += ms < 1000 ? 1 : 97) expect(bucketOf(ms)).toBeLessThan(n);
    expect(bucketOf(LINEAR_MS - 1)).toBe(LINEAR_MS - 1);
    expect(bucketOf(LINEAR_MS)).toBe(LINEAR_MS);
    expect(bucketOf(Math.ceil(LINEAR_MS * BUCKET_RATIO))).toBe(LINEAR_MS + 1);
  });

  it('holds a 30 s window in about 1.2 kB', () => {
    expect(new DelayHistogram(30_000).bytes).toBeLessThan(1_200);
  });
});

describe('PropagationTracker', () => {
  const limits = { windowMs: 30_000, maxOpen: 1_000, maxRemembered: 1_000 };

  it('counts each peer once per item, by network, and closes the item when its window has passed', () => {
    const t = new PropagationTracker(limits);
    t.announce('tx', 'a', H, 'txid', 'p0', 0, 'ipv4', 1_000);
    t.announce('tx', 'a', H, 'txid', 'p0', 0, 'ipv4', 1_500); // again: not counted
    t.announce('tx', 'a', H, 'txid', 'p1', 1, 'ipv6', 1_200);
    t.announce('tx', 'a', H, 'txid', 'p9', 900, 'ipv4', 3_000); // a slot far out: the bitset grows
    t.announce('block', 'a', H, 'hash', 'p1', 1, 'ipv6', 2_000); // the same id as a block is another item
    expect(t.due(30_999)).toEqual([]);
    const [tx, block] = t.due(32_000);
    expect(tx).toMatchObject({ kind: 'tx', key: 'a', first: { peer: 'p0', time: 1_000 }, announcers: 3, early: false });
    expect(tx.delays).toEqual({ p10: 0, p25: 0, p50: 200, p75: 2_000, p90: 2_000, max: 2_000 });
    expect(Object.fromEntries(tx.byNetwork)).toEqual({ ipv4: { announcers: 2, p50: 0 }, ipv6: { announcers: 1, p50: 200 } });
    expect(block).toMatchObject({ kind: 'block', announcers: 1 });
    expect(t.openItems).toBe(0);
  });

  it('ignores announcements after the window and of items already closed', () => {
    const t = new PropagationTracker(limits);
    t.announce('tx', 'a', H, 'txid', 'p0', 0, 'ipv4', 0);
    t.announce('tx', 'a', H, 'txid', 'p1', 1, 'ipv4', 30_001);
    const [a] = t.due(30_001);
    expect(a.announcers).toBe(1);
    t.announce('tx', 'a', H, 'txid', 'p2', 2, 'ipv4', 30_002);
    expect(t.openItems).toBe(0);
  });

  it('closes the oldest early past maxOpen, and its line says so', () => {
    const t = new PropagationTracker({ ...limits, maxOpen: 2 });
    t.announce('tx', 'a', H, 'txid', 'p0', 0, 'ipv4', 0);
    t.announce('tx', 'b', H, 'txid', 'p0', 0, 'ipv4', 1);
    const early = t.announce('tx', 'c', H, 'txid', 'p0', 0, 'ipv4', 2);
    expect(early).toMatchObject({ key: 'a', early: true });
    expect(t.openItems).toBe(2);
  });

  it('counts exactly and stays within the bound for any interleaving of announcements', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ item: fc.integer({ min: 0, max: 5 }), slot: fc.integer({ min: 0, max: 300 }), dt: fc.integer({ min: 0, max: 2_000 }) }), { maxLength: 300 }),
        (events) => {
          const t = new PropagationTracker({ windowMs: 1_000_000, maxOpen: 10, maxRemembered: 10 });
          const truth = new Map<number, { first: number; delays: Map<number, number> }>();
          let now = 0;
          for (const e of events) {
            now += e.dt;
            t.announce('tx', String(e.item), H, 'txid', `p${e.slot}`, e.slot, 'ipv4', now);
            const g = truth.get(e.item) ?? { first: now, delays: new Map<number, number>() };
            truth.set(e.item, g);
            if (!g.delays.has(e.slot)) g.delays.set(e.slot, now - g.first);
          }
          for (const c of t.drain()) {
            const g = truth.get(Number(c.key));
            expect(g).toBeDefined();
            const delays = [...(g?.delays.values() ?? [])];
            expect(c.announcers).toBe(delays.length);
            expect(within(c.delays.p50, percentile(delays, 50))).toBe(true);
            expect(within(c.delays.p90, percentile(delays, 90))).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('PeerSlots', () => {
  it('hands a released slot out again only after the quiet time', () => {
    const s = new PeerSlots(1_000);
    expect([s.acquire(0), s.acquire(0)]).toEqual([0, 1]);
    s.release(0, 10);
    expect(s.acquire(500)).toBe(2);
    expect(s.acquire(1_010)).toBe(0);
  });
});
