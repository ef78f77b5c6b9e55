/** One configured peer kept connected: its sessions, tagged, redialled after a backoff (from crawl.ts). */
import { Observable, asyncScheduler } from 'rxjs';
import type { SchedulerLike, Subscription } from 'rxjs';
import type { Logger } from '../log/logger.js';
import { asPeerError, type DropReason } from '../peer/errors.js';
import type { PeerLink, SessionEvent } from '../peer/session.js';
import type { PeerId } from './inventory.js';
import { formatEndpoint, type Endpoint } from '../net/endpoint.js';
import type { AddressBook } from './addrbook.js';

/** One peer's session events, tagged, with its end as a `down` event. */
export type TaggedEvent =
  | { readonly peer: PeerId; readonly ev: SessionEvent }
  | { readonly peer: PeerId; readonly ev: { readonly type: 'down'; readonly reason: DropReason; readonly message: string; readonly link?: PeerLink } };

/** Redial backoff: 1 s doubling to 5 minutes, as a serious node would not hammer a peer. */
export const REDIAL_BASE_MS = 1_000;
export const REDIAL_MAX_MS = 300_000;

/** Ends that redialling cannot mend: a node of another network stays one. */
export const NOT_REDIALLED: ReadonlySet<DropReason> = new Set<DropReason>(['wrong-network']);

export function redialDelay(failures: number): number {
  return Math.min(REDIAL_MAX_MS, REDIAL_BASE_MS * 2 ** Math.max(0, failures - 1));
}

export interface CrawlDeps {
  readonly connect: (target: Endpoint) => Observable<SessionEvent>;
  readonly log: Logger;
  readonly scheduler?: SchedulerLike;
  /** The process's soft limit on open files, for the EMFILE warning. */
  readonly openFilesLimit?: number;
  /** The address book (loaded from its file, saved by the caller); a fresh one unless given. */
  readonly book?: AddressBook;
}

/**
 * One configured peer, kept connected: each session's end becomes a `down` event (a session ends
 * without an error only when it was meant to: a census visit, `visited`), and with `reconnect` the
 * peer is dialled again after a backoff that resets once a handshake succeeds. What
 * `defer(connect).pipe(map(tag), endWith(visited), catchError(down), retry({ delay }))` does, as
 * one subscriber per session instead of five: every message of every peer passes through here,
 * and at 10,000 peers each subscriber on that path is memory touched per message (BENCHMARKS.md).
 */
export function keepPeer(target: Endpoint, deps: CrawlDeps, reconnect: boolean): Observable<TaggedEvent> {
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
        complete: () => {
          ended('visited', 'visit complete');
          subscriber.complete();
        },
      });
    };
    dial();
    return () => {
      redial?.unsubscribe();
      session?.unsubscribe();
    };
  });
}
