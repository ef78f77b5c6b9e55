import { describe, expect, it } from 'vitest';
import { Subject, type Observable } from 'rxjs';
import { HandshakeGate } from '../../lib/pool/handshakes.js';
import type { PeerInfo, PeerLink, SessionEvent } from '../../lib/peer/session.js';
import { PeerError } from '../../lib/peer/errors.js';

const info: PeerInfo = { version: 70016, services: 0n, userAgent: '/x/', startHeight: 0, relay: true, wtxidRelay: true, addrv2: true, transport: 'v1' };
const link: PeerLink = { send: () => {}, fail: () => {}, close: () => {} };
const ready: SessionEvent = { type: 'ready', info, link };

/** Dials that record when they were started, each driven by its own Subject. */
function dials(n: number): { started: number[]; peers: Subject<SessionEvent>[]; dial: (i: number) => () => Observable<SessionEvent> } {
  const started: number[] = [];
  const peers = Array.from({ length: n }, () => new Subject<SessionEvent>());
  return { started, peers, dial: (i) => () => (started.push(i), peers[i]) };
}

describe('HandshakeGate', () => {
  it('starts at most `limit` dials, and the next as each finishes its handshake, fails or ends, in order', () => {
    const gate = new HandshakeGate(2);
    const { started, peers, dial } = dials(5);
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) gate.gate(dial(i)).subscribe({ next: (e) => seen.push(`${i}:${e.type}`), error: (e: PeerError) => seen.push(`${i}:${e.reason}`) });
    expect(started).toEqual([0, 1]);
    expect([gate.inFlight, gate.queued]).toEqual([2, 3]);
    peers[1].next(ready);
    expect(started).toEqual([0, 1, 2]);
    // A connected peer's later traffic holds no slot.
    peers[1].next({ type: 'rtt', ms: 5 });
    expect(started).toEqual([0, 1, 2]);
    peers[0].error(new PeerError('handshake-timeout', 'slow'));
    expect(started).toEqual([0, 1, 2, 3]);
    peers[2].complete();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(seen).toEqual(['1:ready', '1:rtt', '0:handshake-timeout']);
    expect(gate.inFlight).toBe(2);
  });

  it('a cancelled dial frees its slot or its place; cancelling everything starts nothing', async () => {
    const gate = new HandshakeGate(1);
    const { started, dial } = dials(4);
    const subs = [0, 1, 2, 3].map((i) => gate.gate(dial(i)).subscribe());
    subs[2].unsubscribe(); // waiting: leaves the queue
    subs[0].unsubscribe(); // in flight: frees its slot
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    // Shutdown: every dial cancelled at once; none is started on the way.
    subs[1].unsubscribe();
    subs[3].unsubscribe();
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect([gate.inFlight, gate.queued]).toEqual([0, 0]);
  });

  it('a dial that throws frees its slot, as one that fails', () => {
    const gate = new HandshakeGate(1);
    const { started, dial } = dials(2);
    const errors: string[] = [];
    gate.gate(() => { throw new Error('bad target'); }).subscribe({ error: (e: Error) => errors.push(e.message) });
    gate.gate(dial(1)).subscribe();
    expect(errors).toEqual(['bad target']);
    expect(started).toEqual([1]);
    expect(gate.inFlight).toBe(1);
  });

  it('refuses a limit below one', () => {
    expect(() => new HandshakeGate(0)).toThrow(RangeError);
  });
});
