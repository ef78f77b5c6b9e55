import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Propagation, sightingOf, type Sighting } from '../../lib/merge/propagation.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const limits = { windowMs: 1_000, maxOpen: 10, maxRemembered: 10 };

function tx(id: string, vantage: string, first: number, peers = 1): Sighting {
  return { kind: 'tx', id, vantage, first, peers };
}

describe('Propagation (the merge state machine)', () => {
  it('closes a group once its window has passed, with every vantage, the first one and the spread', () => {
    const p = new Propagation<number>(limits);
    expect(p.add(tx(A, 'berlin', 100.25, 3), 0, 1).result).toBe('opened');
    expect(p.add(tx(A, 'tokyo', 100.125, 2), 500, 2).result).toBe('joined');
    expect(p.due(999)).toEqual([]);
    expect(p.nextDeadline()).toBe(1_000);
    const [c] = p.due(1_000);
    expect(c.view).toEqual({
      event: 'propagation',
      kind: 'tx',
      txid: A,
      vantages: { berlin: { first: 100.25, peers: 3 }, tokyo: { first: 100.125, peers: 2 } },
      first_vantage: 'tokyo',
      spread_ms: 125,
    });
    expect(c.tokens).toEqual([1, 2]);
    expect(p.openCount).toBe(0);
  });

  it('a line for a printed item is late and never prints it again', () => {
    const p = new Propagation<number>(limits);
    p.add(tx(A, 'x', 1), 0, 1);
    expect(p.due(1_000)).toHaveLength(1);
    expect(p.add(tx(A, 'y', 2), 1_100, 2).result).toBe('late');
    expect(p.due(10_000)).toEqual([]);
  });

  it('one vantage twice keeps its earliest time and most peers', () => {
    const p = new Propagation(limits);
    p.add(tx(A, 'x', 5, 1), 0, undefined);
    p.add(tx(A, 'x', 4, 4), 0, undefined);
    p.add(tx(A, 'x', 6, 2), 0, undefined);
    expect(p.flush()[0].view.vantages).toEqual({ x: { first: 4, peers: 4 } });
  });

  it('keeps transactions and blocks apart, blocks by hash', () => {
    const p = new Propagation(limits);
    p.add(tx(A, 'x', 1), 0, undefined);
    p.add({ kind: 'block', id: A, vantage: 'x', first: 2 }, 0, undefined);
    const views = p.flush().map((c) => c.view);
    expect(views.map((v) => v.kind)).toEqual(['tx', 'block']);
    expect(views[1]).toMatchObject({ hash: A, vantages: { x: { first: 2 } } });
    expect(views[1].txid).toBeUndefined();
  });

  it('past maxOpen the oldest group is closed early', () => {
    const p = new Propagation<number>({ ...limits, maxOpen: 1 });
    p.add(tx(A, 'x', 1), 0, 1);
    const { evicted } = p.add(tx(B, 'x', 1), 0, 2);
    expect(evicted.map((c) => [c.view.txid, c.early])).toEqual([[A, true]]);
    expect(p.openCount).toBe(1);
  });

  it('abandon hands back the open tokens without printing', () => {
    const p = new Propagation<number>(limits);
    p.add(tx(A, 'x', 1), 0, 1);
    p.add(tx(A, 'y', 1), 0, 2);
    expect(p.abandon()).toEqual([1, 2]);
    expect(p.flush()).toEqual([]);
    // Not remembered as printed: the next run may print it.
    expect(p.add(tx(A, 'x', 1), 0, 3).result).toBe('opened');
  });

  it('every sighting ends up in exactly one printed line (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ id: fc.constantFrom(A, B, 'c'.repeat(64)), v: fc.constantFrom('p', 'q', 'r'), first: fc.integer({ min: 0, max: 1e6 }), dt: fc.nat(400) })),
        (items) => {
          const p = new Propagation<number>({ windowMs: 1_000, maxOpen: 2, maxRemembered: 100 });
          let now = 0;
          const printed: number[] = [];
          let late = 0;
          items.forEach((it, i) => {
            now += it.dt;
            for (const c of p.due(now)) printed.push(...c.tokens);
            const r = p.add(tx(it.id, it.v, it.first / 1000), now, i);
            if (r.result === 'late') late++;
            for (const c of r.evicted) printed.push(...c.tokens);
          });
          for (const c of p.flush()) printed.push(...c.tokens);
          expect(printed.length + late).toBe(items.length);
          expect(new Set(printed).size).toBe(printed.length);
        },
      ),
    );
  });
});

describe('sightingOf', () => {
  it('reads tx lines by their first announcement and block lines by delivery', () => {
    const line = { event: 'tx', txid: A, vantage: 'v', seen: { peer: 'p', time: 3, first: { peer: 'q', time: 2 }, peers: 5 } };
    expect(sightingOf(line)).toEqual({ kind: 'tx', id: A, vantage: 'v', first: 2, peers: 5 });
    expect(sightingOf({ event: 'block', hash: B, seen: { peer: 'p', time: 7 } }, 'file')).toEqual({ kind: 'block', id: B, vantage: 'file', first: 7 });
  });

  it('refuses what it cannot merge', () => {
    expect(sightingOf({ event: 'tx', txid: A, seen: { time: 1 } })).toBeUndefined(); // no vantage
    expect(sightingOf({ event: 'tx', txid: 'zz', vantage: 'v', seen: { time: 1 } })).toBeUndefined();
    expect(sightingOf({ event: 'peer', vantage: 'v', seen: { time: 1 } })).toBeUndefined();
    expect(sightingOf({ event: 'tx', txid: A, vantage: 'v', seen: { time: 'x' } })).toBeUndefined();
    expect(sightingOf([1, 2])).toBeUndefined();
    expect(sightingOf(null)).toBeUndefined();
  });
});

describe('Propagation against hostile input', () => {
  it('a vantage named __proto__ is an own key of the line, printed', () => {
    const p = new Propagation(limits);
    p.add(tx(A, '__proto__', 1), 0, undefined);
    p.add(tx(A, 'constructor', 2), 0, undefined);
    const [c] = p.flush();
    expect(Object.keys(c.view.vantages).sort()).toEqual(['__proto__', 'constructor']);
    expect(JSON.stringify(c.view)).toContain('"__proto__":{"first":1,"peers":1}');
    expect(c.view.first_vantage).toBe('__proto__');
  });

  it('past maxVantages a new vantage is over (its token the caller\'s); one already in still joins', () => {
    const p = new Propagation<number>({ ...limits, maxVantages: 2 });
    p.add(tx(A, 'x', 1), 0, 1);
    p.add(tx(A, 'y', 1), 0, 2);
    expect(p.add(tx(A, 'z', 1), 0, 3).result).toBe('over');
    expect(p.add(tx(A, 'x', 0.5), 0, 4).result).toBe('joined');
    const [c] = p.flush();
    expect(Object.keys(c.view.vantages)).toEqual(['x', 'y']);
    expect(c.tokens).toEqual([1, 2, 4]);
  });

  it('past maxHeldBytes the oldest groups are printed early, and what is held stays within it', () => {
    const maxHeldBytes = 10_000;
    const p = new Propagation<string>({ ...limits, maxOpen: 1_000, maxHeldBytes });
    const token = 'r'.repeat(100);
    let early = 0;
    for (let i = 0; i < 200; i++) {
      const r = p.add(tx(i.toString(16).padStart(64, '0'), 'v', 1), 0, token, 2 * token.length);
      early += r.evicted.filter((c) => c.early).length;
      expect(p.heldBytes).toBeLessThanOrEqual(maxHeldBytes);
    }
    expect(early).toBeGreaterThan(0);
    expect(early + p.flush().length).toBe(200);
    expect(p.heldBytes).toBe(0);
  });

  it('a vantage name over MAX_VANTAGE_CHARS is not a sighting', () => {
    expect(sightingOf({ event: 'tx', txid: A, vantage: 'v'.repeat(256), seen: { time: 1 } })).toBeUndefined();
    expect(sightingOf({ event: 'tx', txid: A, vantage: 'v'.repeat(255), seen: { time: 1 } })).toBeDefined();
  });
});
