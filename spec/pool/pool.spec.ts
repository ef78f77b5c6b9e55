import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { Observable, type SchedulerLike } from 'rxjs';
import { Pool, type Dial, type DialSource } from '../../lib/pool/pool.js';
import { EMFILE_PAUSE_MS } from '../../lib/pool/descriptors.js';
import type { TaggedEvent } from '../../lib/pool/keep-peer.js';
import { formatEndpoint, type Endpoint } from '../../lib/net/endpoint.js';
import { silentLogger, type Logger } from '../../lib/log/logger.js';
import { PeerError } from '../../lib/peer/errors.js';
import type { PeerInfo, PeerLink, SessionEvent } from '../../lib/peer/session.js';

const info: PeerInfo = { version: 70016, services: 0n, userAgent: '/x/', startHeight: 0, relay: true, wtxidRelay: true, addrv2: true, transport: 'v1' };
const link: PeerLink = { send: () => {}, fail: () => {}, close: () => {} };
const target = (i: number): Endpoint => ({ host: '127.0.0.1', port: 1 + i });

/** A queue of learned targets (none configured); records every call and how deeply calls into it nest. */
class Queue {
  readonly taken: string[] = [];
  readonly ended: string[] = [];
  depth = 0;
  deepest = 0;
  finite = true;
  constructor(private readonly waiting: Endpoint[]) {}
  add(t: Endpoint): void {
    this.waiting.push(t);
  }
  get exhausted(): boolean {
    return this.finite && this.waiting.length === 0;
  }
  take(): Dial | undefined {
    return this.inside(() => {
      const t = this.waiting.shift();
      if (t) this.taken.push(formatEndpoint(t));
      return t && { target: t, configured: false };
    });
  }
  end(d: Dial): void {
    this.inside(() => this.ended.push(formatEndpoint(d.target)));
  }
  private inside<T>(f: () => T): T {
    this.deepest = Math.max(this.deepest, ++this.depth);
    try {
      return f();
    } finally {
      this.depth--;
    }
  }
}
/** The queue as the pool sees it (its `end` is DialSource's `ended`). */
const source = (q: Queue): DialSource => ({ take: () => q.take(), ended: (d) => q.end(d), get exhausted() { return q.exhausted; } });

describe('Pool', () => {
  it('dials at most maxPeers at once, the next as a slot frees, each target once, and completes when the source is exhausted', () => {
    const s = new TestScheduler((a, e) => expect(a).toEqual(e));
    s.run(({ cold, expectObservable }) => {
      const q = new Queue([0, 1, 2, 3].map(target));
      const connect = (): Observable<SessionEvent> => {
        return cold('r 9ms #', { r: { type: 'ready', info, link } }, new PeerError('closed', 'gone'));
      };
      const pool = new Pool(source(q), { maxPeers: 2, reconnect: true }, { connect, log: silentLogger, scheduler: s });
      const down = (port: number): TaggedEvent => ({ peer: `127.0.0.1:${port}`, ev: { type: 'down', reason: 'closed', message: 'gone', link } });
      const up = (port: number): TaggedEvent => ({ peer: `127.0.0.1:${port}`, ev: { type: 'ready', info, link } });
      // Each session is up at once and dropped 10 ms later: 3 and 4 take the slots 1 and 2 free.
      expectObservable(pool.events()).toBe('(ab) 6ms (cdef) 4ms (gh|)', { a: up(1), b: up(2), c: down(1), d: down(2), e: up(3), f: up(4), g: down(3), h: down(4) });
      s.flush();
      expect(q.taken).toEqual(['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3', '127.0.0.1:4']);
      expect(q.ended).toEqual(q.taken);
    });
  });

  it('never calls back into its loop: dials that end while being started, and targets that arrive while it hands out dials, are read by the running loop', () => {
    const N = 20_000;
    const q = new Queue([]);
    for (let i = 0; i < N; i++) q.add(target(i));
    q.finite = false;
    let connecting = 0;
    let nested = 0;
    const connect = (t: Endpoint): Observable<SessionEvent> => {
      if (connecting > 0) nested++;
      connecting++;
      try {
        // Every other dial fails at once (a connect that throws); the rest hand over addresses as
        // soon as they are up, and the room that learns them wakes the pool from inside the loop.
        if (t.port % 2 === 0) throw new Error('no route');
        return new Observable<SessionEvent>((sub) => {
          sub.next({ type: 'ready', info, link });
          if (t.port < 1_000) {
            q.add(target(N + t.port));
            pool.wake();
          }
          sub.error(new PeerError('closed', 'gone'));
        });
      } finally {
        connecting--;
      }
    };
    const pool = new Pool(source(q), { maxPeers: 1, reconnect: false }, { connect, log: silentLogger });
    let downs = 0;
    const events = pool.events().subscribe((t) => {
      if (t.ev.type === 'down') downs++;
      if (downs === N + 500) q.finite = true;
    });
    pool.wake();
    events.unsubscribe();
    // Each target dialled once, one at a time, from one loop: no call into the source or a connect within another.
    expect(q.taken).toHaveLength(N + 500);
    expect(new Set(q.taken).size).toBe(N + 500);
    expect(q.ended).toEqual(q.taken);
    expect(nested).toBe(0);
    expect(q.deepest).toBe(1);
  });

  it('dials a target that found no descriptor again after the pause, ahead of the source\'s next, and tells the source only when it is over; warns once', () => {
    const s = new TestScheduler((a, e) => expect(a).toEqual(e));
    s.run(({ cold, flush }) => {
      const q = new Queue([0, 1, 2].map(target));
      const starts: string[] = [];
      let emfile = 2;
      const connect = (t: Endpoint): Observable<SessionEvent> => {
        starts.push(`${s.now()} ${t.port}`);
        if (emfile-- > 0) return cold('1ms #', {}, new PeerError('no-descriptors', 'EMFILE'));
        return cold('r 4ms #', { r: { type: 'ready', info, link } }, new PeerError('closed', 'gone'));
      };
      const warnings: string[] = [];
      const log = { ...silentLogger, warn: (m: string) => warnings.push(m) } as Logger;
      const pool = new Pool(source(q), { maxPeers: 2, reconnect: false }, { connect, log, scheduler: s as SchedulerLike });
      const ended: string[] = [];
      pool.events().subscribe({ complete: () => ended.push(`${s.now()} complete`) });
      flush();
      // 1 and 2 fail at 1 ms; 3 takes a free slot but waits out the pause (every new dial does);
      // 1, then 2 as a slot frees, are dialled again (not taken from the source again).
      const t = 1 + EMFILE_PAUSE_MS;
      expect(starts).toEqual(['0 1', '0 2', `${t} 1`, `${t} 3`, `${t + 5} 2`]);
      expect(q.taken).toEqual(['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3']);
      expect(q.ended).toEqual(['127.0.0.1:1', '127.0.0.1:3', '127.0.0.1:2']);
      expect(warnings.filter((w) => /out of file descriptors/.test(w))).toHaveLength(1);
      expect(ended).toEqual([`${t + 10} complete`]);
    });
  });
});
