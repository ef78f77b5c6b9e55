import { Observable, asyncScheduler, defer, endWith, exhaustMap, filter, ignoreElements, map, merge, share, switchMap, take, takeUntil, tap, throwError, timeout, timer } from 'rxjs';
import type { MonoTypeOperatorFunction, OperatorFunction, SchedulerLike } from 'rxjs';
import { randomBytes } from 'node:crypto';
import { MIN_PEER_PROTOCOL_VERSION, WTXID_RELAY_VERSION } from '../wire/limits.js';
import type { Message, VersionMessage } from '../wire/messages.js';
import { PeerError } from './errors.js';

/** What a peer told us about itself in the handshake. */
export interface PeerInfo {
  readonly version: number;
  readonly services: bigint;
  readonly userAgent: string;
  readonly startHeight: number;
  readonly relay: boolean;
  /** BIP 339 negotiated: it announces MSG_WTX by wtxid and we ask by wtxid. */
  readonly wtxidRelay: boolean;
  /** BIP 155 negotiated: it may send addrv2. */
  readonly addrv2: boolean;
}

/** How the crawler talks back to one connected peer. */
export interface PeerLink {
  send(msg: Message): void;
  /** Stop reading from the socket (stdout backpressure); the kernel buffers, then the peer waits. */
  pause(): void;
  resume(): void;
  close(): void;
}

export type SessionEvent =
  | { readonly type: 'ready'; readonly info: PeerInfo; readonly link: PeerLink }
  | { readonly type: 'message'; readonly msg: Message }
  | { readonly type: 'rtt'; readonly ms: number };

export type Send = (msg: Message) => void;

export function randomNonce(): bigint {
  return randomBytes(8).readBigUInt64LE(0);
}

/**
 * The version handshake, as Bitcoin Core expects it from an outbound peer (PROTOCOL.md):
 * send `version` at once; on theirs send `wtxidrelay` and `sendaddrv2` (both only to peers at
 * 70016+, and only before our `verack`), then `verack`; done on their `verack`. Until then,
 * everything else is ignored, as Core ignores it. Emits `ready` once, then every later message.
 */
export function handshake(
  link: PeerLink,
  ours: VersionMessage,
  timeoutMs: number,
  scheduler: SchedulerLike = asyncScheduler,
): OperatorFunction<Message, SessionEvent> {
  return (source) =>
    new Observable<SessionEvent>((subscriber) => {
      let theirs: VersionMessage | undefined;
      let wtxidRelay = false;
      let addrv2 = false;
      let ready = false;
      const deadline = scheduler.schedule(() => {
        subscriber.error(
          new PeerError('handshake-timeout', `no ${theirs ? 'verack' : 'version'} within ${timeoutMs / 1000} s`),
        );
      }, timeoutMs);

      const onVersion = (v: VersionMessage): void => {
        if (v.version < MIN_PEER_PROTOCOL_VERSION) {
          subscriber.error(new PeerError('obsolete-version', `protocol version ${v.version} < ${MIN_PEER_PROTOCOL_VERSION}`));
          return;
        }
        if (v.nonce === ours.nonce) {
          subscriber.error(new PeerError('self-connection', 'connected to ourselves (same version nonce)'));
          return;
        }
        theirs = v;
        if (v.version >= WTXID_RELAY_VERSION) {
          link.send({ command: 'wtxidrelay' });
          link.send({ command: 'sendaddrv2' });
        }
        link.send({ command: 'verack' });
      };

      const sub = source.subscribe({
        next(msg) {
          if (ready) {
            subscriber.next({ type: 'message', msg });
            return;
          }
          switch (msg.command) {
            case 'version':
              // Core: a redundant version is ignored ("redundant version message").
              if (!theirs) onVersion(msg);
              return;
            case 'wtxidrelay':
              // Core: honoured only when both sides speak 70016+.
              if (theirs && theirs.version >= WTXID_RELAY_VERSION) wtxidRelay = true;
              return;
            case 'sendaddrv2':
              if (theirs) addrv2 = true;
              return;
            case 'verack':
              // Core ignores anything, verack included, before the peer's version.
              if (!theirs) return;
              ready = true;
              deadline.unsubscribe();
              subscriber.next({
                type: 'ready',
                link,
                info: {
                  version: theirs.version,
                  services: theirs.services,
                  userAgent: theirs.userAgent,
                  startHeight: theirs.startHeight,
                  relay: theirs.relay,
                  wtxidRelay,
                  addrv2,
                },
              });
              return;
            default:
            // Core: between version and verack only the negotiation messages count.
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      link.send(ours);
      return () => {
        deadline.unsubscribe();
        sub.unsubscribe();
      };
    });
}

/** Answers every `ping` with a `pong` carrying its nonce. */
export function answerPings(send: Send): MonoTypeOperatorFunction<SessionEvent> {
  return tap((ev) => {
    if (ev.type === 'message' && ev.msg.command === 'ping') send({ command: 'pong', nonce: ev.msg.nonce });
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
        switchMap(() => timer(0, intervalMs, scheduler)),
        exhaustMap(() => {
          const nonce = nextNonce();
          const sentAt = scheduler.now();
          send({ command: 'ping', nonce });
          return pongNonces.pipe(
            filter((n) => n === nonce),
            take(1),
            timeout({
              first: timeoutMs,
              scheduler,
              with: () => throwError(() => new PeerError('ping-timeout', `no pong within ${timeoutMs / 1000} s`)),
            }),
            map((): SessionEvent => ({ type: 'rtt', ms: scheduler.now() - sentAt })),
          );
        }),
        // A source that ends (a test's finite stream) ends the pings with it.
        takeUntil(events.pipe(ignoreElements(), endWith(true))),
      );
      return merge(events, pings);
    });
}
