import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_INVENTORY_LIMITS, Inventory, type InventoryLimits, type Request } from '../../lib/crawler/inventory.js';
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

  it('keeps its books straight under any sequence of events (property)', () => {
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
          for (const p of peers) expect(inv.inFlightOf(p)).toBeLessThanOrEqual(limits.maxTxInFlightPerPeer);
          expect(inv.inFlight).toBeLessThanOrEqual(inv.pending);
        }
      }),
      { numRuns: 500 },
    );
  });
});
