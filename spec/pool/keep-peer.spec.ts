import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { NEVER, type Observable } from 'rxjs';
import { keepPeer, redialDelay } from '../../lib/pool/keep-peer.js';
import type { Endpoint } from '../../lib/net/endpoint.js';
import { PeerError } from '../../lib/peer/errors.js';
import type { PeerInfo, PeerLink, SessionEvent } from '../../lib/peer/session.js';

const info: PeerInfo = { version: 70016, services: 0n, userAgent: '/x/', startHeight: 0, relay: true, wtxidRelay: false, addrv2: false, transport: 'v1' };
const link: PeerLink = { send: () => {}, fail: () => {}, close: () => {} };
const A: Endpoint = { host: '127.0.0.1', port: 1 };

describe('keepPeer (virtual time)', () => {
  it('reports each drop and redials with a doubling backoff that resets after a handshake', () => {
    const s = new TestScheduler((a, e) => expect(a).toEqual(e));
    s.run(({ cold, flush }) => {
      const attempts: number[] = [];
      const scripts = ['5ms #', '5ms #', 'r 5ms #', '5ms #', '-'];
      let i = 0;
      const connect = (): Observable<SessionEvent> => {
        attempts.push(s.now());
        return cold(scripts[Math.min(i++, scripts.length - 1)], { r: { type: 'ready', info, link: link } }, new PeerError('closed', 'gone'));
      };
      const downs: number[] = [];
      const sub = keepPeer(A, { connect, scheduler: s }, true).subscribe((t) => {
        if (t.ev.type === 'down') downs.push(s.now());
      });
      s.schedule(() => sub.unsubscribe(), 20_000);
      flush();
      // fail at 5 → 1 s; fail at 1010 → 2 s; at 3010 ready, drop at 3016 → 1 s again; fail at 4021 → 2 s.
      expect(attempts).toEqual([0, 1005, 3010, 4016, 6021]);
      expect(downs).toEqual([5, 1010, 3016, 4021]);
      expect(redialDelay(30)).toBe(300_000);
    });
  });

  it('never redials a node of another network, even with reconnect on', () => {
    const s = new TestScheduler((a, e) => expect(a).toEqual(e));
    s.run(({ cold, expectObservable }) => {
      let attempts = 0;
      const connect = (): Observable<SessionEvent> => {
        attempts++;
        return cold('3ms #', {}, new PeerError('wrong-network', 'this is a regtest node; use --network regtest'));
      };
      expectObservable(keepPeer(A, { connect, scheduler: s }, true)).toBe('3ms (d|)', {
        d: { peer: '127.0.0.1:1', ev: { type: 'down', reason: 'wrong-network', message: 'this is a regtest node; use --network regtest' } },
      });
      s.flush();
      expect(attempts).toBe(1);
    });
  });

  it('turns a connect that throws into a down event and redials it; a session that ends without an error is `closed`, and redialled too', () => {
    const s = new TestScheduler((a, e) => expect(a).toEqual(e));
    s.run(({ cold, expectObservable }) => {
      let attempts = 0;
      const connect = (): Observable<SessionEvent> => {
        attempts++;
        if (attempts === 1) throw new Error('bug in dial');
        return attempts === 2 ? cold('2ms |') : NEVER;
      };
      // thrown at 0 → redial at 1000, which ends at 1002 → redial at 3002 (the second failure in a row: 2 s).
      expectObservable(keepPeer(A, { connect, scheduler: s }, true), '^ 5s !').toBe('d 1001ms c', {
        d: { peer: '127.0.0.1:1', ev: { type: 'down', reason: 'internal', message: 'internal error: bug in dial' } },
        c: { peer: '127.0.0.1:1', ev: { type: 'down', reason: 'closed', message: 'session ended' } },
      });
      s.flush();
      expect(attempts).toBe(3);
    });
  });

  it('with reconnect off, ends after the first drop', () => {
    const s = new TestScheduler((a, e) => expect(a).toEqual(e));
    s.run(({ cold, expectObservable }) => {
      const connect = (): Observable<SessionEvent> => cold('3ms #', {}, new PeerError('framing', 'bad-magic'));
      expectObservable(keepPeer(A, { connect, scheduler: s }, false)).toBe('3ms (d|)', {
        d: { peer: '127.0.0.1:1', ev: { type: 'down', reason: 'framing', message: 'bad-magic' } },
      });
    });
  });
});
