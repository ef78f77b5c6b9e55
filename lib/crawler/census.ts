/**
 * The census: the pool (lib/pool) fed by discovery, every session a visit (version, a ping, the
 * peer's addresses) that ends by itself, and one event a node: `visited` with what it said, or
 * `unreachable` with why. Nothing is kept, fetched or redialled. Its tally and summary are
 * census-count.ts; its flags `--census*` (lib/cli/options.ts).
 */
import { Observable, asyncScheduler, concat, defer, filter, share, switchMap, take, takeUntil, takeWhile, tap, throwError, timer } from 'rxjs';
import type { MonoTypeOperatorFunction, SchedulerLike } from 'rxjs';
import { PeerError, type DropReason } from '../peer/errors.js';
import type { PeerInfo, SessionEvent } from '../peer/session.js';
import type { Endpoint } from '../net/endpoint.js';
import type { DialOptions } from '../net/dial.js';
import { OUT_OF_DESCRIPTORS } from '../pool/descriptors.js';
import { Pool } from '../pool/pool.js';
import type { PeerId } from '../pool/keep-peer.js';
import type { KnownAddress } from './addrbook.js';
import type { CrawlDeps } from './crawl.js';
import { Discovery, type SeedAddress } from './discovery.js';
import { Router } from './router.js';
import { addressRoom, routeEvents } from './rooms.js';

/** Census: how long a visited peer has, after the handshake, to answer ping and getaddr. */
export const CENSUS_VISIT_MS = 10_000;

/** Census: a visit's whole deadline, from the dial to done (connect, v2 then v1, handshake, ping, getaddr). */
export const CENSUS_DEADLINE_MS = 15_000;

/**
 * Visits at once in a census. bitnodes runs ~3,500 handshakes at once across its processes; one
 * process on a small machine does well with fewer, and each visit is a file descriptor (crawl warns
 * when the soft limit is too low, as for --max-peers). At 15 s a visit, 2,000 at once visit 10,000
 * addresses, every one of them silent, in 75 s.
 */
export const DEFAULT_CENSUS_CONCURRENCY = 2_000;

/**
 * A census visit: the session ends, as `visited`, once the peer has answered a ping and sent
 * addresses, `visitMs` after the handshake, or at `deadlineMs` after the dial, whichever is first.
 * A peer whose handshake is not done by the deadline fails with `visit-timeout`.
 */
export function censusVisit(visitMs: number, deadlineMs: number, scheduler: SchedulerLike = asyncScheduler): MonoTypeOperatorFunction<SessionEvent> {
  return (source) =>
    defer(() => {
      let ready = false;
      let rtt = false;
      let addr = false;
      const events = source.pipe(share());
      const giveUp = events.pipe(
        filter((ev) => ev.type === 'ready'),
        take(1),
        switchMap(() => timer(visitMs, scheduler)),
      );
      const visit = events.pipe(
        tap((ev) => {
          if (ev.type === 'ready') ready = true;
          if (ev.type === 'rtt') rtt = true;
          if (ev.type === 'message' && (ev.msg.command === 'addr' || ev.msg.command === 'addrv2')) addr = true;
        }),
        takeWhile(() => !(rtt && addr), true),
        takeUntil(giveUp),
        takeUntil(timer(deadlineMs, scheduler)),
      );
      // The session itself only ends by an error: the visit ends as `visited`, or, without a handshake, at the deadline.
      const end = defer(() =>
        throwError(() => (ready ? new PeerError('visited', 'visit complete') : new PeerError('visit-timeout', `no handshake within ${deadlineMs / 1000} s`))),
      );
      return concat(visit, end);
    });
}


/** What a census reports. Times are milliseconds since the epoch (the scheduler's clock). */
export type CensusEvent =
  /** A node's handshake is done: its visit goes on (a ping, its addresses). */
  | { readonly type: 'visiting'; readonly peer: PeerId; readonly info: PeerInfo; readonly time: number }
  | { readonly type: 'rtt'; readonly peer: PeerId; readonly ms: number }
  | { readonly type: 'addr'; readonly peer: PeerId; readonly address: KnownAddress; readonly time: number }
  /** A node visited: what it said, when its handshake was done, its first round trip; and how the visit ended. */
  | { readonly type: 'visited'; readonly peer: PeerId; readonly info: PeerInfo; readonly time: number; readonly rttMs?: number; readonly reason: DropReason }
  /** A node not visited (no handshake), and why. */
  | { readonly type: 'unreachable'; readonly peer: PeerId; readonly reason: DropReason; readonly message: string; readonly time: number };

export interface CensusOptions {
  /** Visits at once (DEFAULT_CENSUS_CONCURRENCY). */
  readonly concurrency: number;
  /** Dials from their start to a finished handshake, at most (MAX_HANDSHAKES_IN_FLIGHT unless given). */
  readonly maxHandshakes?: number;
  /** A visit's whole deadline, dial to done (CENSUS_DEADLINE_MS unless given). */
  readonly visitTimeoutMs?: number;
  /** Which learned addresses may be dialled (Core's routability and bad ports; local ones on regtest). */
  readonly dial?: DialOptions;
  /** DNS seeds' answers: where the census starts without configured peers. */
  readonly seeds?: readonly SeedAddress[];
}

/**
 * The census: every address given, from the book, the seeds and every peer's gossip, visited once;
 * completes when none is left to visit.
 */
export function census(targets: readonly Endpoint[], opts: CensusOptions, deps: CrawlDeps): Observable<CensusEvent> {
  const scheduler = deps.scheduler ?? asyncScheduler;
  return new Observable<CensusEvent>((subscriber) => {
    const discovery = new Discovery(targets, opts.seeds ?? [], { discover: true, finite: true, dial: opts.dial }, deps.log, deps.book);
    const visit = censusVisit(CENSUS_VISIT_MS, opts.visitTimeoutMs ?? CENSUS_DEADLINE_MS, scheduler);
    const pool = new Pool(discovery, { maxPeers: opts.concurrency, maxHandshakes: opts.maxHandshakes, reconnect: false }, { ...deps, connect: (t) => deps.connect(t).pipe(visit) });
    /** What each node said while its visit lasts: at most `concurrency` entries (the pool's slots). */
    const visits = new Map<PeerId, { info: PeerInfo; time: number; rttMs?: number }>();
    const router = new Router(deps.log);
    router
      .onUp((peer, info, now) => {
        discovery.connected(peer, now);
        // Core answers one getaddr per connection, with up to 1,000 addresses.
        router.send(peer, { command: 'getaddr' });
        visits.set(peer, { info, time: now });
        subscriber.next({ type: 'visiting', peer, info, time: now });
      })
      .onRtt((peer, ms) => {
        const v = visits.get(peer);
        if (v && v.rttMs === undefined) v.rttMs = ms;
        subscriber.next({ type: 'rtt', peer, ms });
      })
      .onDown((peer, now, why) => {
        // Our limit, not the node's: the pool dials it again, and it is reported then.
        if (why.reason === OUT_OF_DESCRIPTORS) return;
        const v = visits.get(peer);
        visits.delete(peer);
        subscriber.next(
          v ? { type: 'visited', peer, info: v.info, time: v.time, rttMs: v.rttMs, reason: why.reason } : { type: 'unreachable', peer, reason: why.reason, message: why.message, time: now },
        );
      });
    addressRoom(router, discovery, pool, (peer, address, time) => subscriber.next({ type: 'addr', peer, address, time }));
    const sub = routeEvents(pool, router, scheduler, subscriber);
    return () => sub.unsubscribe();
  });
}
