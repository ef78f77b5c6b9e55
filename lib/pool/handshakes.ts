import { Observable, type Subscription } from 'rxjs';
import type { SessionEvent } from '../peer/session.js';

/**
 * Dials between their start and a finished handshake, at most, by default. A burst of thousands
 * of dials at once would otherwise share the CPU between all their handshakes (a v2 handshake is
 * ~5 ms of CPU in JavaScript: ElligatorSwift and ECDH) until every one of them misses its 60 s
 * deadline together. Core never has more than one outbound connection being opened at a time
 * (net.cpp ThreadOpenConnections); bitnodes' crawler keeps a few thousand in flight over 16
 * processes. 500 handshakes of 5 ms are 2.5 s of CPU: they finish within the deadline even when
 * the process gets a twentieth of a core.
 */
export const MAX_HANDSHAKES_IN_FLIGHT = 500;

/** Connections at most, configured and learned together, unless --max-peers: net.h DEFAULT_MAX_PEER_CONNECTIONS. */
export const DEFAULT_MAX_PEERS = 125;

/**
 * A bound on handshakes in flight: `gate(dial)` subscribes to the dial once a slot is free (FIFO),
 * and frees the slot when the dial reports `ready`, fails or is cancelled. The dial's own timers
 * (connect and handshake deadlines) start when it is subscribed, so waiting here costs none of
 * them.
 */
export class HandshakeGate {
  private active = 0;
  /** In arrival order (a Set: a cancelled dial leaves in O(1), as 10,000 do at shutdown). */
  private readonly waiting = new Set<() => void>();

  constructor(readonly limit: number = MAX_HANDSHAKES_IN_FLIGHT) {
    if (!(limit >= 1)) throw new RangeError(`handshakes in flight must be at least 1, not ${limit}`);
  }

  /** Dials holding a slot. */
  get inFlight(): number {
    return this.active;
  }

  /** Dials waiting for a slot. */
  get queued(): number {
    return this.waiting.size;
  }

  gate(dial: () => Observable<SessionEvent>): Observable<SessionEvent> {
    return new Observable<SessionEvent>((subscriber) => {
      let held = false;
      let done = false;
      let inner: Subscription | undefined;
      const release = (wakeNow = true): void => {
        if (!held) return;
        held = false;
        this.active--;
        // Cancelled (at shutdown every dial is, one after another): wake the next only once the
        // cancelling is over, so that no dial is started just to be cancelled.
        if (wakeNow) this.wake();
        else queueMicrotask(() => this.wake());
      };
      const start = (): void => {
        held = true;
        this.active++;
        let events: Observable<SessionEvent>;
        try {
          events = dial();
        } catch (err) {
          // A dial that throws (a bug, a bad target) frees its slot like one that fails.
          release();
          subscriber.error(err);
          return;
        }
        inner = events.subscribe({
          next: (ev) => {
            if (ev.type === 'ready') release();
            subscriber.next(ev);
          },
          error: (err: unknown) => {
            release();
            subscriber.error(err);
          },
          complete: () => {
            release();
            subscriber.complete();
          },
        });
      };
      if (this.active < this.limit) start();
      else this.waiting.add(start);
      return () => {
        if (done) return;
        done = true;
        this.waiting.delete(start);
        inner?.unsubscribe();
        release(false);
      };
    });
  }

  private wake(): void {
    for (const start of this.waiting) {
      if (this.active >= this.limit) return;
      this.waiting.delete(start);
      start();
    }
  }
}
