import { asyncScheduler, concat, defer, EMPTY, filter, share, switchMap, take, takeUntil, takeWhile, tap, throwError, timer } from 'rxjs';
import type { MonoTypeOperatorFunction, SchedulerLike } from 'rxjs';
import { PeerError } from '../peer/errors.js';
import type { SessionEvent } from '../peer/session.js';

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
 * A census visit: the session ends (normally) once the peer has answered a ping and sent
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
      // The session itself only ends by an error: ending without one and without a handshake is the deadline.
      const late = defer(() => (ready ? EMPTY : throwError(() => new PeerError('visit-timeout', `no handshake within ${deadlineMs / 1000} s`))));
      return concat(visit, late);
    });
}

