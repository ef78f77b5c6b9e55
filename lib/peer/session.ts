import { Observable, Subscription, asyncScheduler, defaultIfEmpty, defer, exhaustMap, filter, ignoreElements, interval, map, merge, share, switchMap, take, takeUntil, tap } from 'rxjs';
import type { MonoTypeOperatorFunction, OperatorFunction, SchedulerLike } from 'rxjs';
import { randomFillSync } from 'node:crypto';
import type { Message, VersionMessage } from '../wire/messages.js';
import { PeerError } from './errors.js';
import { Handshake, type PeerInfo } from './handshake.js';
import type { TransportKind } from '../transport/transport.js';

export type { PeerInfo } from './handshake.js';

/** How the crawler talks back to one connected peer. */
export interface PeerLink {
  send(msg: Message): void;
  /** Ends this peer's stream with `err` (and closes its socket): a bug or a misdeed costs this peer only. */
  fail(err: PeerError): void;
  close(): void;
}

/**
 * `at` (ms since the epoch) is when the bytes that completed the message (or the handshake) were
 * read from the socket, not when they were processed: a busy event loop delays the processing of
 * a chunk's later messages, never their time. Absent where there is no socket (virtual-time tests):
 * the crawl then uses its scheduler's clock.
 */
export type SessionEvent =
  | { readonly type: 'ready'; readonly info: PeerInfo; readonly link: PeerLink; readonly at?: number }
  | { readonly type: 'message'; readonly msg: Message; readonly at?: number }
  | { readonly type: 'rtt'; readonly ms: number };

export type Send = (msg: Message) => void;

/** Random bytes drawn for nonces at a time: one randomFillSync per 512 nonces, not a randomBytes call each (a version and a ping per peer; 2.6% of the crawler's handshake time at 10,000 peers). */
const NONCE_POOL_BYTES = 4096;
const noncePool = Buffer.alloc(NONCE_POOL_BYTES);
let noncesUsed = NONCE_POOL_BYTES;

/** A fresh 64-bit nonce from the CSPRNG. */
export function randomNonce(): bigint {
  if (noncesUsed === NONCE_POOL_BYTES) {
    randomFillSync(noncePool);
    noncesUsed = 0;
  }
  const nonce = noncePool.readBigUInt64LE(noncesUsed);
  noncesUsed += 8;
  return nonce;
}

/** Runs `fn` later, returning how to cancel it. */
export type Later = (fn: () => void) => () => void;

/**
 * Runs `fn` once the sockets' pending reads are done: after the event loop's next poll phase
 * (setImmediate runs in the check phase, which follows it). Node runs expired timers BEFORE it
 * polls, so after the process was blocked (a long task, a stopped machine) every deadline that
 * passed meanwhile fires while the bytes that meet it still sit unread in the socket buffers: a
 * pong that came in time would count as none (issue 19). A deadline decides only after this.
 */
export const afterPendingReads: Later = (fn) => {
  const id = setImmediate(fn);
  return () => clearImmediate(id);
};

/** At once: for virtual time (a TestScheduler), where there are no sockets and nothing is pending. */
export const atOnce: Later = (fn) => {
  fn();
  return () => {};
};

/** A deadline of `ms` on `scheduler` that calls `expired` then `later` (on sockets: afterPendingReads). */
function deadline(scheduler: SchedulerLike, ms: number, later: Later, expired: () => void): Subscription {
  let cancel: (() => void) | undefined;
  const sub = scheduler.schedule(() => {
    cancel = later(expired);
  }, ms);
  sub.add(() => cancel?.());
  return sub;
}

/**
 * The version handshake (see Handshake) as an operator: our `version` goes out on subscribe, every
 * message goes through the state machine until `ready`, then straight through. No `ready` within
 * `timeoutMs` ends the peer, as Core's DEFAULT_PEER_CONNECT_TIMEOUT does (net.h). Anything the
 * state machine or a send throws becomes this peer's error.
 *
 * One subscriber, and the deadline cancelled at `ready` with the state machine let go: this sits
 * on the path of every message of every peer, and at 10,000 peers each object kept per peer is
 * memory (and each subscriber on the path a cache miss per message; BENCHMARKS.md). Not
 * `timeout({ first })`: it keeps the last value, a message each peer would hold until its next
 * one, long enough for every scavenge to promote it.
 */
export function handshake(
  link: PeerLink,
  ours: VersionMessage,
  timeoutMs: number,
  transport: TransportKind = 'v1',
  scheduler: SchedulerLike = asyncScheduler,
  /** When the bytes of the message being handled were read (see SessionEvent); none: no `at`. */
  readTime?: () => number,
  /** How long past the deadline to wait for what is already received: afterPendingReads on sockets. */
  later: Later = atOnce,
): OperatorFunction<Message, SessionEvent> {
  return (source) =>
    new Observable<SessionEvent>((subscriber) => {
      let hs: Handshake | undefined = new Handshake(ours, transport);
      const expired = (): void => subscriber.error(new PeerError('handshake-timeout', `no ${hs?.awaiting ?? 'verack'} within ${timeoutMs / 1000} s`));
      let due: Subscription | undefined = deadline(scheduler, timeoutMs, later, expired);
      const sub = new Subscription(() => due?.unsubscribe());
      try {
        link.send(ours);
      } catch (err) {
        subscriber.error(err);
        return sub;
      }
      sub.add(
        source.subscribe({
          next(msg) {
            if (hs === undefined) {
              subscriber.next(readTime ? { type: 'message', msg, at: readTime() } : { type: 'message', msg });
              return;
            }
            try {
              const step = hs.receive(msg);
              for (const m of step.send) link.send(m);
              if (!step.ready) return;
              hs = undefined;
              due?.unsubscribe();
              due = undefined;
              subscriber.next(readTime ? { type: 'ready', info: step.ready, link, at: readTime() } : { type: 'ready', info: step.ready, link });
            } catch (err) {
              subscriber.error(err);
            }
          },
          error: (err: unknown) => subscriber.error(err),
          complete: () => subscriber.complete(),
        }),
      );
      return sub;
    });
}

/** Answers every `ping` with a `pong` carrying its nonce. */
export function answerPings(send: Send): MonoTypeOperatorFunction<SessionEvent> {
  return tap((ev) => {
    if (ev.type === 'message' && ev.msg.command === 'ping') send({ command: 'pong', nonce: ev.msg.nonce });
  });
}

/**
 * Now, then every `intervalMs`: `interval` with a first tick at once. `startWith` would do, but it
 * is a `concat` (two more subscribers a peer, for the life of the connection).
 */
function pingTimes(intervalMs: number, scheduler: SchedulerLike): Observable<number> {
  return new Observable<number>((subscriber) => {
    subscriber.next(-1);
    return interval(intervalMs, scheduler).subscribe(subscriber);
  });
}

/**
 * Liveness: from the handshake on, every `intervalMs` send a ping with a fresh nonce and wait
 * for the pong with that nonce; none within `timeoutMs` ends the peer. One ping is outstanding at
 * a time (as in Core). Each answered ping adds an `rtt` event.
 */
export function liveness(
  send: Send,
  intervalMs: number,
  timeoutMs: number,
  scheduler: SchedulerLike = asyncScheduler,
  nextNonce: () => bigint = randomNonce,
  /** See handshake's `later`. */
  later: Later = atOnce,
): MonoTypeOperatorFunction<SessionEvent> {
  return (source) =>
    defer(() => {
      const events = source.pipe(share());
      const pongNonces = events.pipe(
        filter((ev) => ev.type === 'message' && ev.msg.command === 'pong'),
        map((ev) => (ev.type === 'message' && ev.msg.command === 'pong' ? ev.msg.nonce : -1n)),
      );
      const pings = events.pipe(
        filter((ev) => ev.type === 'ready'),
        take(1),
        // The first ping at once, as Core sends its first (ARCHITECTURE.md, "Protocol facts"): in the same write as our
        // verack when their verack came with their version (timer(0) would be a write of its own).
        switchMap(() => pingTimes(intervalMs, scheduler)),
        exhaustMap(() => {
          const nonce = nextNonce();
          const sentAt = scheduler.now();
          send({ command: 'ping', nonce });
          // Not rxjs `timeout`: its deadline would fire before a pong read after a block (deadline()).
          return new Observable<SessionEvent>((subscriber) => {
            const due = deadline(scheduler, timeoutMs, later, () => subscriber.error(new PeerError('ping-timeout', `no pong within ${timeoutMs / 1000} s`)));
            const pong = pongNonces.pipe(filter((n) => n === nonce), take(1)).subscribe(() => {
              due.unsubscribe();
              subscriber.next({ type: 'rtt', ms: scheduler.now() - sentAt });
              subscriber.complete();
            });
            pong.add(due);
            return pong;
          });
        }),
        // A source that ends (a test's finite stream) ends the pings with it.
        takeUntil(events.pipe(ignoreElements(), defaultIfEmpty(true))),
      );
      return merge(events, pings);
    });
}
