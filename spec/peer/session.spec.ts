import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { PeerError } from '../../lib/peer/errors.js';
import { answerPings, handshake, liveness, randomNonce, type PeerLink, type SessionEvent } from '../../lib/peer/session.js';
import type { Message, VersionMessage } from '../../lib/wire/messages.js';

const OUR_NONCE = 42n;
const ours: VersionMessage = {
  command: 'version',
  version: 70016,
  services: 0n,
  timestamp: 0n,
  addrRecv: { services: 0n, ip: new Uint8Array(16), port: 0 },
  addrFrom: { services: 0n, ip: new Uint8Array(16), port: 0 },
  nonce: OUR_NONCE,
  userAgent: '/bitcrawl:test/',
  startHeight: 0,
  relay: true,
};
const theirVersion = (version: number, nonce = 7n): VersionMessage => ({ ...ours, version, nonce, userAgent: '/Satoshi:27.0.0/', startHeight: 800_000 });

function newScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** A link that records what is sent, with the virtual time it was sent at. */
function recordingLink(scheduler: TestScheduler): PeerLink & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    send: (m: Message) => sent.push(`${scheduler.now()}:${m.command}${m.command === 'ping' || m.command === 'pong' ? `:${m.nonce}` : ''}`),
    fail: () => {},
    close: () => {},
  };
}

describe('handshake operator (virtual time)', () => {
  it('follows Core’s order with a 70016 peer and negotiates wtxid relay and addrv2', () => {
    const s = newScheduler();
    s.run(({ hot, expectObservable, flush }) => {
      const link = recordingLink(s);
      const source = hot<Message>('10ms a b c d e', {
        a: theirVersion(70016),
        b: { command: 'wtxidrelay' },
        c: { command: 'sendaddrv2' },
        d: { command: 'verack' },
        e: { command: 'inv', items: [] },
      });
      const info = { version: 70016, services: 0n, userAgent: '/Satoshi:27.0.0/', startHeight: 800_000, relay: true, wtxidRelay: true, addrv2: true, transport: 'v1' };
      expectObservable(source.pipe(handshake(link, ours, 60_000))).toBe('13ms r e', {
        r: { type: 'ready', info, link },
        e: { type: 'message', msg: { command: 'inv', items: [] } },
      });
      flush();
      expect(link.sent).toEqual(['0:version', '10:wtxidrelay', '10:sendaddrv2', '10:verack']);
    });
  });

  it('sends neither wtxidrelay nor sendaddrv2 to a 70015 peer, and ignores its wtxidrelay', () => {
    const s = newScheduler();
    s.run(({ hot, expectObservable, flush }) => {
      const link = recordingLink(s);
      const source = hot<Message>('5ms a b c', { a: theirVersion(70015), b: { command: 'wtxidrelay' }, c: { command: 'verack' } });
      expectObservable(source.pipe(handshake(link, ours, 60_000))).toBe('7ms r', {
        r: expect.objectContaining({ type: 'ready', info: expect.objectContaining({ version: 70015, wtxidRelay: false, addrv2: false }) }),
      });
      flush();
      expect(link.sent).toEqual(['0:version', '5:verack']);
    });
  });

  it('ignores verack before version, a second version, and other messages before the handshake', () => {
    const s = newScheduler();
    s.run(({ hot, expectObservable, flush }) => {
      const link = recordingLink(s);
      const source = hot<Message>('a b c d e f', {
        a: { command: 'verack' },
        b: { command: 'inv', items: [] },
        c: theirVersion(70016),
        d: theirVersion(70015, 9n),
        e: { command: 'ping', nonce: 1n },
        f: { command: 'verack' },
      });
      expectObservable(source.pipe(handshake(link, ours, 60_000))).toBe('5ms r', {
        r: expect.objectContaining({ type: 'ready', info: expect.objectContaining({ version: 70016 }) }),
      });
      flush();
      expect(link.sent.filter((x) => x.endsWith('verack'))).toHaveLength(1);
    });
  });

  it('drops a peer that does not finish within the timeout', () => {
    const s = newScheduler();
    s.run(({ hot, expectObservable }) => {
      const link = recordingLink(s);
      const source = hot<Message>('10ms a', { a: theirVersion(70016) });
      expectObservable(source.pipe(handshake(link, ours, 60_000))).toBe('60s #', undefined, new PeerError('handshake-timeout', 'no verack within 60 s'));
    });
  });

  it('drops obsolete peers and connections to ourselves', () => {
    const s = newScheduler();
    s.run(({ hot, expectObservable }) => {
      const link = recordingLink(s);
      expectObservable(hot<Message>('a', { a: theirVersion(31_799) }).pipe(handshake(link, ours, 60_000))).toBe('#', undefined, new PeerError('obsolete-version', 'protocol version 31799 < 31800'));
      expectObservable(hot<Message>('a', { a: theirVersion(70016, OUR_NONCE) }).pipe(handshake(link, ours, 60_000))).toBe('#', undefined, new PeerError('self-connection', 'connected to ourselves (same version nonce)'));
    });
  });
});

describe('liveness and ping answering (virtual time)', () => {
  const ready = { type: 'ready', info: {}, link: undefined } as unknown as SessionEvent;
  const pong = (nonce: bigint): SessionEvent => ({ type: 'message', msg: { command: 'pong', nonce } });

  it('pings at once after the handshake and every interval, and reports the round trip', () => {
    const s = newScheduler();
    s.run(({ hot, expectObservable, flush }) => {
      const link = recordingLink(s);
      let n = 0n;
      const source = hot<SessionEvent>('r 49ms p 99950ms q', { r: ready, p: pong(1n), q: pong(2n) });
      expectObservable(source.pipe(liveness(link.send, 100_000, 60_000, s, () => ++n)), '^ 200s !').toBe('r 49ms (pt) 99947ms (qu)', {
        r: ready,
        p: pong(1n),
        t: { type: 'rtt', ms: 50 },
        q: pong(2n),
        u: { type: 'rtt', ms: 1 },
      });
      flush();
      expect(link.sent).toEqual(['0:ping:1', '100000:ping:2', '200000:ping:3']);
    });
  });

  it('drops the peer when no pong with the right nonce comes in time', () => {
    const s = newScheduler();
    s.run(({ hot, expectObservable }) => {
      const link = recordingLink(s);
      const source = hot<SessionEvent>('r 9ms p', { r: ready, p: pong(999n) });
      expectObservable(source.pipe(liveness(link.send, 120_000, 60_000, s, () => 1n))).toBe('r 9ms p 59989ms #', { r: ready, p: pong(999n) }, new PeerError('ping-timeout', 'no pong within 60 s'));
    });
  });

  it('answers each ping with a pong carrying its nonce', () => {
    const s = newScheduler();
    s.run(({ hot, expectObservable, flush }) => {
      const link = recordingLink(s);
      const ping = (nonce: bigint): SessionEvent => ({ type: 'message', msg: { command: 'ping', nonce } });
      const source = hot<SessionEvent>('a 9ms b', { a: ping(5n), b: ping(2n ** 64n - 1n) });
      expectObservable(source.pipe(answerPings(link.send))).toBe('a 9ms b', { a: ping(5n), b: ping(2n ** 64n - 1n) });
      flush();
      expect(link.sent).toEqual(['0:pong:5', `10:pong:${2n ** 64n - 1n}`]);
    });
  });
});

describe('randomNonce', () => {
  it('gives distinct 64-bit nonces across refills of its pool', () => {
    // 4,000 nonces draw the 4 KiB pool about eight times; a repeat would mean a reused pool.
    const nonces = Array.from({ length: 4_000 }, () => randomNonce());
    expect(new Set(nonces).size).toBe(nonces.length);
    expect(nonces.every((n) => n >= 0n && n < 1n << 64n)).toBe(true);
    // Not stuck on zero bytes: the high bytes vary too.
    expect(new Set(nonces.map((n) => n >> 56n)).size).toBeGreaterThan(100);
  });
});
