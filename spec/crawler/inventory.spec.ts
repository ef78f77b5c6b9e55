import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_INVENTORY_LIMITS, Inventory, MAX_FALLBACK_ANNOUNCERS, type InventoryLimits, type Request } from '../../lib/crawler/inventory.js';
import { MB, retainedBytes } from '../support/memory.js';
import { InvType, type InvItem } from '../../lib/wire/messages.js';

const limits: InventoryLimits = { ...DEFAULT_INVENTORY_LIMITS, requestTimeoutMs: 60_000, maxTxInFlightPerPeer: 3, maxBlocksInFlightPerPeer: 1, maxAnnouncementsPerPeer: 10, seenCapacity: 100 };

function h(n: number): Uint8Array {
  const b = new Uint8Array(32);
  b[0] = n & 0xff;
  b[1] = n >> 8;
  return b;
}
const tx = (n: number): InvItem => ({ type: InvType.TX, hash: h(n) });
const wtx = (n: number): InvItem => ({ type: InvType.WTX, hash: h(n) });
const block = (n: number): InvItem => ({ type: InvType.BLOCK, hash: h(n) });
/** Requests as "peer:type:n" strings, easy to compare. */
const flat = (rs: Request[]): string[] => rs.flatMap((r) => r.items.map((i) => `${r.peer}:${i.type}:${i.hash[0] | (i.hash[1] << 8)}`));

describe('Inventory', () => {
  it('asks the announcer with witness types: MSG_WITNESS_TX for txids, MSG_WTX for wtxids, MSG_WITNESS_BLOCK for blocks', () => {
    const inv = new Inventory(limits);
    expect(flat(inv.announce('a', [tx(1), wtx(2), block(3), { type: InvType.CMPCT_BLOCK, hash: h(4) }], 0))).toEqual([
      `a:${InvType.WITNESS_TX}:1`,
      `a:${InvType.WTX}:2`,
      `a:${InvType.WITNESS_BLOCK}:3`,
    ]);
  });

  it('asks one peer at a time when two announce the same tx, and prints it once', () => {
    const inv = new Inventory(limits);
    expect(flat(inv.announce('a', [tx(1)], 0))).toEqual([`a:${InvType.WITNESS_TX}:1`]);
    expect(inv.announce('b', [tx(1)], 5)).toEqual([]);
    const d = inv.delivered([h(1)], 10);
    expect(d).toMatchObject({ fresh: true, wanted: true, requests: [] });
    // The propagation record: first and last announcer, how many announced it.
    expect(d.announcements).toEqual({ first: { peer: 'a', time: 0 }, last: { peer: 'b', time: 5 }, peers: 2 });
    expect(inv.delivered([h(1)], 11)).toMatchObject({ fresh: false, wanted: false });
    // Announced again after delivery: never asked again.
    expect(inv.announce('c', [tx(1)], 12)).toEqual([]);
    expect(inv.pending).toBe(0);
  });

  it('matches a hash by its bytes: announced as a view into a payload, delivered and looked up as copies', () => {
    const inv = new Inventory(limits);
    const payload = new Uint8Array(100).fill(7);
    payload.set(h(3), 40);
    const view = payload.subarray(40, 72);
    expect(flat(inv.announce('a', [{ type: InvType.WTX, hash: view }], 0))).toEqual([`a:${InvType.WTX}:3`]);
    payload.fill(0); // the inventory kept a copy, not the view
    expect(inv.isPending(h(3))).toBe(true);
    expect(inv.isPending(h(4))).toBe(false);
    expect(inv.delivered([h(3)], 1)).toMatchObject({ fresh: true, wanted: true });
    expect(inv.isSeen(h(3))).toBe(true);
    expect(inv.isSeen(h(3 + 256))).toBe(false);
  });

  it('does not let an unsolicited delivery stop the tx being fetched from its announcers', () => {
    const inv = new Inventory(limits);
    expect(inv.delivered([h(5)], 0)).toMatchObject({ fresh: true, wanted: false });
    expect(flat(inv.announce('a', [tx(5)], 1))).toEqual([`a:${InvType.WITNESS_TX}:5`]);
    expect(inv.delivered([h(5)], 2)).toMatchObject({ fresh: true, wanted: true });
  });

  it('asks the next announcer after notfound', () => {
    const inv = new Inventory(limits);
    inv.announce('a', [tx(1)], 0);
    inv.announce('b', [tx(1)], 0);
    expect(flat(inv.notFound('a', [tx(1)], 1))).toEqual([`b:${InvType.WITNESS_TX}:1`]);
    // b also has nothing: the item is forgotten, not retried forever.
    expect(inv.notFound('b', [tx(1)], 2)).toEqual([]);
    expect(inv.pending).toBe(0);
  });

  it('ignores notfound from a peer that was not asked', () => {
    const inv = new Inventory(limits);
    inv.announce('a', [tx(1)], 0);
    inv.announce('b', [tx(1)], 0);
    expect(inv.notFound('b', [tx(1)], 1)).toEqual([]);
    expect(inv.inFlightOf('a')).toBe(1);
    // a fails: nobody is left.
    expect(inv.notFound('a', [tx(1)], 2)).toEqual([]);
    expect(inv.pending).toBe(0);
  });

  it('asks the next announcer when the first does not deliver in time', () => {
    const inv = new Inventory(limits);
    inv.announce('a', [tx(1), tx(2)], 0);
    inv.announce('b', [tx(1)], 30_000);
    expect(inv.expire(59_999)).toEqual([]);
    expect(flat(inv.expire(60_000))).toEqual([`b:${InvType.WITNESS_TX}:1`]);
    expect(inv.inFlightOf('a')).toBe(0);
    // A late delivery from a is still welcome and ends b's request.
    expect(inv.delivered([h(1)], 61_000)).toMatchObject({ fresh: true, wanted: true });
    expect(inv.inFlightOf('b')).toBe(0);
    expect(inv.inFlight).toBe(0);
  });

  it('caps requests in flight per peer and sends the rest as slots free up', () => {
    const inv = new Inventory(limits);
    const items = [1, 2, 3, 4, 5].map(tx);
    expect(flat(inv.announce('a', items, 0))).toHaveLength(3);
    expect(inv.inFlightOf('a')).toBe(3);
    expect(flat(inv.delivered([h(1)], 1).requests)).toEqual([`a:${InvType.WITNESS_TX}:4`]);
    expect(flat(inv.notFound('a', [tx(2)], 2))).toEqual([`a:${InvType.WITNESS_TX}:5`]);
    expect(inv.inFlightOf('a')).toBe(3);
  });

  it('caps blocks in flight separately from transactions', () => {
    const inv = new Inventory(limits);
    inv.announce('a', [1, 2, 3].map(tx), 0);
    expect(flat(inv.announce('a', [block(10), block(11)], 0))).toEqual([`a:${InvType.WITNESS_BLOCK}:10`]);
  });

  it('hands a dropped peer’s requests to other announcers and forgets its announcements', () => {
    const inv = new Inventory(limits);
    inv.announce('a', [tx(1), tx(2)], 0);
    inv.announce('b', [tx(2)], 0);
    expect(flat(inv.dropPeer('a', 1))).toEqual([`b:${InvType.WITNESS_TX}:2`]);
    expect(inv.pending).toBe(1);
    expect(inv.dropPeer('a', 2)).toEqual([]);
  });

  it('moves a timed-out request to an announcer that is full once it has room', () => {
    const inv = new Inventory(limits);
    inv.announce('a', [tx(9)], 0);
    inv.announce('b', [tx(9)], 0);
    inv.announce('b', [1, 2, 3].map(tx), 30_000); // b is now full
    expect(inv.expire(60_000)).toEqual([]); // 9 timed out at a; b has no room yet
    expect(inv.inFlightOf('a')).toBe(0);
    expect(flat(inv.delivered([h(1)], 60_001).requests)).toEqual([`b:${InvType.WITNESS_TX}:9`]);
  });

  it('limits the announcements it remembers per peer', () => {
    const inv = new Inventory(limits);
    inv.announce('a', Array.from({ length: 50 }, (_, i) => tx(i)), 0);
    expect(inv.pending).toBe(limits.maxAnnouncementsPerPeer);
  });

  describe('items waiting for a free slot (issue 19)', () => {
    it('holds no stale entry: an item delivered while it waits leaves the queue at once', () => {
      const inv = new Inventory(limits);
      inv.announce('a', [1, 2, 3].map(tx), 0); // a is full, and never serves these
      // The flood of issue 19: announce a tx, push it at once, again and again. Each used to stay
      // in a's queue; the timeouts then took them out one shift() at a time (quadratic).
      for (let n = 100; n < 2_100; n++) {
        expect(inv.announce('a', [tx(n)], 1)).toEqual([]);
        expect(inv.peers.waitingAt('a')).toHaveLength(1);
        expect(inv.delivered([h(n)], 1)).toMatchObject({ wanted: true, requests: [] });
        expect(inv.peers.waitingAt('a')).toHaveLength(0);
      }
      expect(inv.expire(limits.requestTimeoutMs + 1)).toEqual([]);
      expect(inv.inFlight).toBe(0);
      expect(inv.pending).toBe(0);
    });

    it('holds no stale entry: an item a peer says notfound for, asked or not, leaves its queue', () => {
      const inv = new Inventory(limits);
      inv.announce('a', [1, 2, 3].map(tx), 0);
      for (let round = 0; round < 1_000; round++) {
        const items = [4, 5, 6, 7, 8, 9, 10].map((k) => tx(k + 10 * round));
        expect(inv.announce('a', items, 1)).toEqual([]);
        expect(inv.peers.waitingAt('a')).toHaveLength(items.length);
        expect(inv.notFound('a', items, 1)).toEqual([]);
        expect(inv.peers.waitingAt('a')).toHaveLength(0);
      }
      expect(inv.pending).toBe(3);
    });

    it('takes an item asked of another announcer out of every queue, and puts a failed one first', () => {
      const inv = new Inventory(limits);
      inv.announce('a', [1, 2, 3].map(tx), 0);
      inv.announce('b', [4, 5, 6].map(tx), 0);
      inv.announce('a', [tx(9), tx(8)], 1);
      inv.announce('b', [tx(9)], 1);
      expect(inv.peers.waitingAt('a').map((x) => x[0])).toEqual([9, 8]);
      expect(inv.peers.waitingAt('b').map((x) => x[0])).toEqual([9]);
      // b frees a slot first: 9 is asked of b and leaves a's queue too.
      expect(flat(inv.delivered([h(4)], 2).requests)).toEqual([`b:${InvType.WITNESS_TX}:9`]);
      expect(inv.peers.waitingAt('a').map((x) => x[0])).toEqual([8]);
      expect(inv.peers.waitingAt('b')).toEqual([]);
      // b fails it while a is still full: it waits at a again, ahead of 8.
      expect(inv.notFound('b', [tx(9)], 3)).toEqual([]);
      expect(inv.peers.waitingAt('a').map((x) => x[0])).toEqual([9, 8]);
      expect(flat(inv.delivered([h(1)], 4).requests)).toEqual([`a:${InvType.WITNESS_TX}:9`]);
    });
  });

  describe(`past ${MAX_FALLBACK_ANNOUNCERS} announcers (maxFallbackAnnouncers)`, () => {
    const peer = (i: number): string => `p${i}`;

    it('counts every announcer exactly, once each, and remembers only the bound', () => {
      const inv = new Inventory(DEFAULT_INVENTORY_LIMITS);
      const n = 1_000;
      expect(flat(inv.announce(peer(0), [wtx(1)], 0))).toEqual([`p0:${InvType.WTX}:1`]);
      for (let i = 1; i < n; i++) expect(inv.announce(peer(i), [wtx(1)], i)).toEqual([]);
      // Announcing again, remembered or not, is not a new announcer.
      for (const i of [0, 5, MAX_FALLBACK_ANNOUNCERS + 10, n - 1]) inv.announce(peer(i), [wtx(1)], n + i);
      const held = inv.peers.announcementsHeld;
      expect(held.remembered).toBe(MAX_FALLBACK_ANNOUNCERS);
      expect(held.bits).toBe(n - MAX_FALLBACK_ANNOUNCERS);
      expect(inv.delivered([h(1)], 2 * n).announcements).toEqual({ first: { peer: 'p0', time: 0 }, last: { peer: `p${n - 1}`, time: n - 1 }, peers: n });
      expect(inv.peers.announcementsHeld).toEqual({ remembered: 0, bits: 0 });
    });

    it('falls back past the bound: to the unremembered announcers, each asked the way it announces', () => {
      const inv = new Inventory({ ...limits, maxFallbackAnnouncers: 2 });
      inv.announce('a', [tx(1)], 1);
      // d relays by wtxid (BIP 339): a legacy tx's wtxid is its txid, so the same key.
      for (const p of ['b', 'c', 'd', 'e']) expect(inv.announce(p, [p === 'd' ? wtx(1) : tx(1)], 2)).toEqual([]);
      expect(inv.peers.announcementsHeld.bits).toBe(3);
      expect(flat(inv.notFound('a', [tx(1)], 3))).toEqual([`b:${InvType.WITNESS_TX}:1`]);
      expect(flat(inv.notFound('b', [tx(1)], 4))).toEqual([`c:${InvType.WITNESS_TX}:1`]);
      expect(flat(inv.expire(4 + limits.requestTimeoutMs))).toEqual([`d:${InvType.WTX}:1`]);
      expect(flat(inv.dropPeer('d', 5 + limits.requestTimeoutMs))).toEqual([`e:${InvType.WITNESS_TX}:1`]);
      expect(inv.notFound('e', [tx(1)], 6 + limits.requestTimeoutMs)).toEqual([]);
      expect(inv.isPending(h(1))).toBe(false);
      expect(inv.peers.announcementsHeld).toEqual({ remembered: 0, bits: 0 });
    });

    it('forgets a dropped peer’s bit, so the peer that reuses its slot counts and can be asked', () => {
      const inv = new Inventory({ ...limits, maxFallbackAnnouncers: 1 });
      inv.announce('a', [tx(1)], 0);
      inv.announce('x', [tx(1)], 1); // a bit only
      expect(inv.dropPeer('x', 2)).toEqual([]);
      expect(inv.peers.announcementsHeld.bits).toBe(0);
      inv.announce('y', [tx(1)], 3); // takes x's slot
      expect(flat(inv.notFound('a', [tx(1)], 4))).toEqual([`y:${InvType.WITNESS_TX}:1`]);
      expect(inv.delivered([h(1)], 5).announcements).toEqual({ first: { peer: 'a', time: 0 }, last: { peer: 'y', time: 3 }, peers: 3 });
    });

    it('holds bounded memory per pending item however many peers announce it (measured)', () => {
      const inv = new Inventory(DEFAULT_INVENTORY_LIMITS);
      const peers = 5_000;
      const items = 100;
      const hashes = Array.from({ length: items + 1 }, (_, i) => h(i + 1));
      // Every peer's state exists before the measurement: it is per peer, not per item.
      for (let p = 0; p < peers; p++) inv.announce(peer(p), [{ type: InvType.WTX, hash: hashes[0] }], 0);
      const before = retainedBytes();
      for (let p = 0; p < peers; p++) inv.announce(peer(p), hashes.slice(1).map((hash) => ({ type: InvType.WTX, hash })), 1);
      const perItem = (retainedBytes() - before) / items;
      expect(inv.pending).toBe(items + 1);
      expect(inv.peers.announcementsHeld.remembered).toBeLessThanOrEqual((items + 1) * (MAX_FALLBACK_ANNOUNCERS + 1));
      // Remembering all 5,000 costs ~100 bytes each (≈ 0.5 MB an item); the bound and a bitmap ≈ 10 kB.
      expect(perItem).toBeLessThan(0.05 * MB);
      console.log(`inventory: ${peers} announcers per pending item retain ${(perItem / 1024).toFixed(1)} kB an item`);
    });
  });

  describe('memory per peer (measured)', () => {
    const ids = Array.from({ length: 10_000 }, (_, p) => `10.0.${p >> 8}.${p & 255}:8333`);

    it('keeps no state for a peer whose announcements were all delivered already', () => {
      const inv = new Inventory(DEFAULT_INVENTORY_LIMITS);
      inv.announce('a', [wtx(1)], 0);
      inv.delivered([h(1)], 1);
      const before = retainedBytes();
      for (const id of ids) expect(inv.announce(id, [wtx(1)], 2)).toEqual([]);
      const perPeer = (retainedBytes() - before) / ids.length;
      // A peer's state costs ~250 bytes (~700 with three Sets each); this is noise around 0.
      expect(perPeer).toBeLessThan(50);
    });

    it('keeps a small state per peer once its announcements are delivered (no empty Sets)', () => {
      const inv = new Inventory(DEFAULT_INVENTORY_LIMITS);
      const before = retainedBytes();
      ids.forEach((id, p) => inv.announce(id, [wtx(p)], 0));
      ids.forEach((_, p) => inv.delivered([h(p)], 1));
      const perPeer = (retainedBytes() - before) / ids.length;
      expect(inv.pending).toBe(0);
      // Measured ~270 bytes: the state and its Map entry, and the delivered id's key in `seen`.
      expect(perPeer).toBeLessThan(450);
      console.log(`inventory: a peer whose announcement was delivered retains ${perPeer.toFixed(0)} bytes`);
    });
  });

  it.each([
    ['every announcer remembered', limits],
    ['one announcer remembered', { ...limits, maxFallbackAnnouncers: 1 }],
  ])('keeps its books straight under any sequence of events, %s (property)', (_what, limits) => {
    const peers = ['a', 'b', 'c'];
    const event = fc.oneof(
      fc.record({ k: fc.constant('announce'), p: fc.constantFrom(...peers), n: fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 6 }) }),
      fc.record({ k: fc.constant('deliver'), n: fc.integer({ min: 0, max: 12 }) }),
      fc.record({ k: fc.constant('notfound'), p: fc.constantFrom(...peers), n: fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 3 }) }),
      fc.record({ k: fc.constant('drop'), p: fc.constantFrom(...peers) }),
      fc.record({ k: fc.constant('tick'), dt: fc.integer({ min: 0, max: 90_000 }) }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        const inv = new Inventory(limits);
        let now = 0;
        const delivered = new Set<number>();
        const announcedBy = new Map<string, Set<number>>(peers.map((p) => [p, new Set()]));
        const record = (rs: Request[]): void => {
          for (const r of rs) {
            expect(r.items.length).toBeGreaterThan(0);
            for (const i of r.items) {
              // Never ask for what has arrived, nor ask a peer for what it did not announce.
              expect(delivered.has(i.hash[0])).toBe(false);
              expect(announcedBy.get(r.peer)?.has(i.hash[0])).toBe(true);
            }
          }
        };
        for (const e of events) {
          if (e.k === 'announce') {
            for (const n of e.n) announcedBy.get(e.p)?.add(n);
            record(inv.announce(e.p, e.n.map(tx), now));
          } else if (e.k === 'deliver') {
            const d = inv.delivered([h(e.n)], now);
            if (d.wanted) delivered.add(e.n); // an unsolicited copy does not count as arrived
            record(d.requests);
          } else if (e.k === 'drop') {
            record(inv.dropPeer(e.p, now));
            announcedBy.get(e.p)?.clear();
          } else if (e.k === 'notfound') {
            for (const n of e.n) announcedBy.get(e.p)?.delete(n);
            record(inv.notFound(e.p, e.n.map(tx), now));
          } else {
            record(inv.expire((now += e.dt)));
          }
          for (const p of peers) {
            expect(inv.inFlightOf(p)).toBeLessThanOrEqual(limits.maxTxInFlightPerPeer);
            // Every queued item is live, once, within the per-peer bound, and waits only while
            // the peer is full: so each step of a refill is a request, never a stale entry skipped.
            const waiting = inv.peers.waitingAt(p).map((x) => x[0]);
            expect(new Set(waiting).size).toBe(waiting.length);
            expect(waiting.length).toBeLessThanOrEqual(limits.maxAnnouncementsPerPeer);
            for (const n of waiting) {
              expect(inv.isPending(h(n))).toBe(true);
              expect(announcedBy.get(p)?.has(n)).toBe(true);
            }
            if (waiting.length > 0) expect(inv.inFlightOf(p)).toBe(limits.maxTxInFlightPerPeer);
          }
          expect(inv.inFlight).toBeLessThanOrEqual(inv.pending);
        }
      }),
      { numRuns: 500 },
    );
  });

  describe('blocks asked as compact blocks (BIP 152 low-bandwidth mode: the header sync\'s choice)', () => {
    const cmpct = (n: number): string => `a:${InvType.CMPCT_BLOCK}:${n}`;

    it('asks a block announced with `compact` as MSG_CMPCT_BLOCK, and counts it among the blocks in flight', () => {
      const inv = new Inventory(limits);
      expect(inv.blocksInFlight).toBe(0);
      expect(flat(inv.announce('a', [block(1)], 0, true))).toEqual([cmpct(1)]);
      expect(inv.blocksInFlight).toBe(1);
      // Another announcer is asked the way it announced, if it comes to that (a fails twice).
      expect(inv.announce('b', [block(1)], 1)).toEqual([]);
      inv.notFound('a', [block(1)], 2);
      expect(flat(inv.notFound('a', [block(1)], 2))).toEqual([`b:${InvType.WITNESS_BLOCK}:1`]);
      expect(inv.blocksInFlight).toBe(1);
      inv.delivered([h(1)], 3);
      expect(inv.blocksInFlight).toBe(0);
    });

    it('asks the same peer for the whole block when its compact block fails (wholeBlock), with a deadline of its own', () => {
      const inv = new Inventory(limits);
      inv.announce('a', [block(1)], 0, true);
      inv.announce('b', [block(1)], 0);
      expect(flat(inv.wholeBlock('a', h(1), 30_000))).toEqual([`a:${InvType.WITNESS_BLOCK}:1`]);
      expect(inv.blocksInFlight).toBe(1);
      // The first deadline (60 s) is gone: the new one is 60 s after the fallback.
      expect(inv.expire(80_000)).toEqual([]);
      expect(flat(inv.expire(90_000))).toEqual([`b:${InvType.WITNESS_BLOCK}:1`]);
      // Another fallback from it while b is asked: it is an announcer again, asked only if b fails.
      expect(inv.wholeBlock('a', h(1), 90_001)).toEqual([]);
    });

    it('asks the same peer for the whole block once its compact block is overdue, then the next announcer', () => {
      const inv = new Inventory(limits);
      inv.announce('a', [block(1)], 0, true);
      inv.announce('b', [block(1)], 0);
      expect(flat(inv.expire(60_000))).toEqual([`a:${InvType.WITNESS_BLOCK}:1`]);
      expect(flat(inv.expire(120_000))).toEqual([`b:${InvType.WITNESS_BLOCK}:1`]);
    });

    it('asks the same peer for the whole block when it says notfound to the compact block, then the next announcer', () => {
      const inv = new Inventory(limits);
      inv.announce('a', [block(1)], 0, true);
      inv.announce('b', [block(1)], 0);
      expect(flat(inv.notFound('a', [{ type: InvType.CMPCT_BLOCK, hash: h(1) }], 1))).toEqual([`a:${InvType.WITNESS_BLOCK}:1`]);
      expect(flat(inv.notFound('a', [block(1)], 2))).toEqual([`b:${InvType.WITNESS_BLOCK}:1`]);
    });

    it('asks a peer that was not an announcer (a high-bandwidth peer\'s unsolicited compact block failed) for the whole block', () => {
      const inv = new Inventory(limits);
      expect(flat(inv.wholeBlock('a', h(1), 0))).toEqual([`a:${InvType.WITNESS_BLOCK}:1`]);
      // A peer never says a block is compact by inv.
      expect(flat(inv.announce('b', [{ type: InvType.CMPCT_BLOCK, hash: h(2) }], 0))).toEqual([]);
    });

    it('keeps its books straight under any sequence of compact and whole announcements, fallbacks, deliveries and failures (property)', () => {
      const peers = ['a', 'b', 'c'];
      const n = fc.integer({ min: 0, max: 5 });
      const event = fc.oneof(
        fc.record({ k: fc.constant('announce'), p: fc.constantFrom(...peers), n, compact: fc.boolean() }),
        fc.record({ k: fc.constant('whole'), p: fc.constantFrom(...peers), n }),
        fc.record({ k: fc.constant('deliver'), n, obtained: fc.boolean() }),
        fc.record({ k: fc.constant('notfound'), p: fc.constantFrom(...peers), n }),
        fc.record({ k: fc.constant('drop'), p: fc.constantFrom(...peers) }),
        fc.record({ k: fc.constant('tick'), dt: fc.integer({ min: 0, max: 90_000 }) }),
      );
      fc.assert(
        fc.property(fc.array(event, { maxLength: 60 }), (events) => {
          const inv = new Inventory(limits);
          let now = 0;
          const delivered = new Set<number>();
          const announcedBy = new Map<string, Set<number>>(peers.map((p) => [p, new Set()]));
          const compactBy = new Map<string, Set<number>>(peers.map((p) => [p, new Set()]));
          /** Each block's last request, "peer:type". */
          const lastAsked = new Map<number, string>();
          const record = (rs: Request[]): void => {
            for (const r of rs) {
              for (const i of r.items) {
                lastAsked.set(i.hash[0], `${r.peer}:${i.type}`);
                expect(delivered.has(i.hash[0])).toBe(false);
                expect(announcedBy.get(r.peer)?.has(i.hash[0])).toBe(true);
                expect([InvType.WITNESS_BLOCK, InvType.CMPCT_BLOCK]).toContain(i.type);
                // Compact only of a peer the header sync chose for it.
                if (i.type === InvType.CMPCT_BLOCK) expect(compactBy.get(r.peer)?.has(i.hash[0])).toBe(true);
              }
            }
          };
          for (const e of events) {
            if (e.k === 'announce') {
              announcedBy.get(e.p)?.add(e.n);
              if (e.compact) compactBy.get(e.p)?.add(e.n);
              record(inv.announce(e.p, [block(e.n)], now, e.compact));
            } else if (e.k === 'whole') {
              announcedBy.get(e.p)?.add(e.n);
              record(inv.wholeBlock(e.p, h(e.n), now));
            } else if (e.k === 'deliver') {
              const d = inv.delivered([h(e.n)], now, e.obtained);
              if (d.wanted || e.obtained) delivered.add(e.n);
              record(d.requests);
            } else if (e.k === 'drop') {
              record(inv.dropPeer(e.p, now));
              announcedBy.get(e.p)?.clear();
              compactBy.get(e.p)?.clear();
            } else if (e.k === 'notfound') {
              // A peer asked for the compact block is asked for the whole one next; any other is not asked again.
              const last = lastAsked.get(e.n);
              if (last !== `${e.p}:${InvType.CMPCT_BLOCK}`) announcedBy.get(e.p)?.delete(e.n);
              record(inv.notFound(e.p, [block(e.n)], now));
            } else {
              record(inv.expire((now += e.dt)));
            }
            let inFlight = 0;
            for (const p of peers) {
              expect(inv.inFlightOf(p)).toBeLessThanOrEqual(limits.maxBlocksInFlightPerPeer);
              inFlight += inv.inFlightOf(p);
            }
            expect(inv.blocksInFlight).toBe(inFlight);
            expect(inv.inFlight).toBe(inFlight);
          }
        }),
        { numRuns: 500 },
      );
    });
  });
});
