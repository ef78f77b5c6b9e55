import { asyncScheduler, defer, filter, share, switchMap, take, takeUntil, takeWhile, tap, timer } from 'rxjs';
import type { MonoTypeOperatorFunction, SchedulerLike } from 'rxjs';
import type { SessionEvent } from '../peer/session.js';

/** Census: how long a visited peer has, after the handshake, to answer ping and getaddr. */
export const CENSUS_VISIT_MS = 10_000;

/**
 * A census visit: the session ends (normally) once the peer has answered a ping and sent
 * addresses, or `visitMs` after the handshake, whichever is first.
 */
export function censusVisit(visitMs: number, scheduler: SchedulerLike = asyncScheduler): MonoTypeOperatorFunction<SessionEvent> {
  return (source) =>
    defer(() => {
      let rtt = false;
      let addr = false;
      const events = source.pipe(share());
      const giveUp = events.pipe(
        filter((ev) => ev.type === 'ready'),
        take(1),
        switchMap(() => timer(visitMs, scheduler)),
      );
      return events.pipe(
        tap((ev) => {
          if (ev.type === 'rtt') rtt = true;
          if (ev.type === 'message' && (ev.msg.command === 'addr' || ev.msg.command === 'addrv2')) addr = true;
        }),
        takeWhile(() => !(rtt && addr), true),
        takeUntil(giveUp),
      );
    });
}
