/** One dial of the pool: its sessions, tagged; a kept (configured) peer redialled after a backoff. */
import { Observable, asyncScheduler } from 'rxjs';
import type { SchedulerLike, Subscription } from 'rxjs';
import { asPeerError, PeerError, type DropReason } from '../peer/errors.js';
import type { PeerLink, SessionEvent } from '../peer/session.js';
import { formatEndpoint, type Endpoint } from '../net/endpoint.js';

/** A peer as events name it: its endpoint, formatted (lib/net/endpoint.ts). */
export type PeerId = string;

/** One peer's session events, tagged, with its end as a `down` event. */
export type TaggedEvent =
  | { readonly peer: PeerId; readonly ev: SessionEvent }
  | { readonly peer: PeerId; readonly ev: { readonly type: 'down'; readonly reason: DropReason; readonly message: string; readonly link?: PeerLink } };

/** Redial backoff: 1 s doubling to 5 minutes, as a serious node would not hammer a peer (btcd connmgr: retries back off to maxRetryDuration, 5 minutes). */
export const REDIAL_BASE_MS = 1_000;
export const REDIAL_MAX_MS = 300_000;

/** Ends that redialling cannot mend: a node of another network stays one. */
export const NOT_REDIALLED: ReadonlySet<DropReason> = new Set<DropReason>(['wrong-network']);

export function redialDelay(failures: number): number {
  return Math.min(REDIAL_MAX_MS, REDIAL_BASE_MS * 2 ** Math.max(0, failures - 1));
}

/** What a dial needs: how to connect, and the clock. */
export interface DialDeps {
  readonly connect: (target: Endpoint) => Observable<SessionEvent>;
  readonly scheduler?: SchedulerLike;
}

/**
 * One dial: each session's end becomes a `down` event with its reason (a session that ends
 * without an error is `closed`; a census visit ends by its own `visited` error), and with
 * `reconnect` the peer is dialled again after a backoff that resets once a handshake succeeds. What
 * `defer(connect).pipe(map(tag), catchError(down), retry({ delay }))` does, as
 * one subscriber per session instead of five: every message of every peer passes through here,
 * and at 10,000 peers each subscriber on that path is memory touched per message (BENCHMARKS.md).
 */
export function keepPeer(target: Endpoint, deps: DialDeps, reconnect: boolean): Observable<TaggedEvent> {
  const peer = formatEndpoint(target);
  const scheduler = deps.scheduler ?? asyncScheduler;
  return new Observable<TaggedEvent>((subscriber) => {
    let failures = 0;
    let session: Subscription | undefined;
    let redial: Subscription | undefined;
    /** This session's link, once up: its end names it, so that only its own registration goes. */
    let link: PeerLink | undefined;
    const ended = (reason: DropReason, message: string): void => {
      const own = link;
      link = undefined;
      subscriber.next({ peer, ev: { type: 'down', reason, message, link: own } });
    };
    const failed = (err: unknown): void => {
      const e = asPeerError(err);
      ended(e.reason, e.message);
      if (!reconnect || NOT_REDIALLED.has(e.reason)) return subscriber.complete();
      redial = scheduler.schedule(dial, redialDelay(++failures));
    };
    const dial = (): void => {
      let events: Observable<SessionEvent>;
      try {
        events = deps.connect(target);
      } catch (err) {
        return failed(err);
      }
      session = events.subscribe({
        next: (ev) => {
          if (ev.type === 'ready') [failures, link] = [0, ev.link];
          subscriber.next({ peer, ev });
        },
        error: failed,
        complete: () => failed(new PeerError('closed', 'session ended')),
      });
    };
    dial();
    return () => {
      redial?.unsubscribe();
      session?.unsubscribe();
    };
  });
}
