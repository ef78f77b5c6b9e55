/**
 * The connection pool (btcd's connmgr is the model): dials targets from a source within limits —
 * sessions at once, handshakes in flight, file descriptors — keeps configured peers (redialled
 * with a backoff, keep-peer.ts), and gives every session's events, tagged with their peer, as one
 * stream. It knows nothing of addresses' provenance (discovery, the address book: lib/crawler) nor
 * of what the events mean (the rooms: lib/crawler); the crawl and the census compose it with those.
 */
import { Observable, asyncScheduler, timer, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import type { Logger } from '../log/logger.js';
import type { Endpoint } from '../net/endpoint.js';
import { DescriptorGate, EMFILE_PAUSE_MS, OUT_OF_DESCRIPTORS } from './descriptors.js';
import { HandshakeGate, MAX_HANDSHAKES_IN_FLIGHT } from './handshakes.js';
import { keepPeer, type DialDeps, type TaggedEvent } from './keep-peer.js';

/** A target to dial, and where it came from: configured peers are kept connected; the rest are dialled once. */
export interface Dial {
  readonly target: Endpoint;
  readonly configured: boolean;
}

/**
 * Where the pool's targets come from (btcd connmgr's GetNewAddress; the crawl's is
 * lib/crawler/discovery.ts). The pool takes a target only when a slot is free, so the source
 * holds the queue (and bounds it); it is told when each dial it gave is over.
 */
export interface DialSource {
  /** The next target to dial now, or undefined when none waits. */
  take(now: number): Dial | undefined;
  /** A dial it gave is over (whatever its end). */
  ended(dial: Dial): void;
  /** No target waits and none will come: the pool completes once its last dial is over. */
  readonly exhausted: boolean;
}

export interface PoolOptions {
  /** Dials at once (sessions, and dials on their way to one), configured and learned together. */
  readonly maxPeers: number;
  /** Dials from their start to a finished handshake, at most (MAX_HANDSHAKES_IN_FLIGHT unless given). */
  readonly maxHandshakes?: number;
  /** Configured peers are redialled after each drop (keep-peer.ts); learned ones are dialled once. */
  readonly reconnect: boolean;
}

export interface PoolDeps extends DialDeps {
  readonly log: Logger;
  /** The process's soft limit on open files, for the EMFILE warning. */
  readonly openFilesLimit?: number;
}

/** A dial that is over, waiting for the pool's loop; `again`: it ran out of descriptors and is dialled again. */
interface Ended {
  readonly dial: Dial;
  readonly again: boolean;
}

/**
 * The pool. One loop (`drain`, as connmgr's connHandler reads its one channel) starts dials while
 * slots are free and settles dials that are over; nothing else starts a dial. A dial that ends
 * while it is being started (a connect that throws), or a source that gets new targets while the
 * loop hands out dials (addresses from a peer's first messages), only leaves a note the running
 * loop reads: no call ever comes back into the loop, the source or the subscriber's operators.
 */
export class Pool {
  private readonly scheduler: SchedulerLike;
  private readonly descriptors: DescriptorGate;
  private readonly handshakes: HandshakeGate;
  private readonly connect: DialDeps['connect'];
  /** Dials holding a slot: started, or ended and not yet settled. */
  private slots = 0;
  /** Dials that are over, in order, for the loop to settle. */
  private readonly ends: Ended[] = [];
  /** Dials out of descriptors, their pause over: dialled before any new target (at most maxPeers: each held a slot). */
  private readonly again: Dial[] = [];
  /** Dials waiting out EMFILE_PAUSE_MS; they hold no slot meanwhile (old connections may free descriptors). */
  private readonly pausing = new Set<Subscription>();
  private readonly sessions = new Set<Subscription>();
  private out: Subscriber<TaggedEvent> | undefined;
  private draining = false;

  constructor(
    private readonly source: DialSource,
    private readonly opts: PoolOptions,
    deps: PoolDeps,
  ) {
    this.scheduler = deps.scheduler ?? asyncScheduler;
    // Out of file descriptors: new dials wait, and the address is dialled again (not burnt).
    this.descriptors = new DescriptorGate(this.scheduler, deps.log, deps.openFilesLimit);
    // A burst of dials waits for handshake slots, so that no handshake starves past its deadline.
    this.handshakes = new HandshakeGate(opts.maxHandshakes ?? MAX_HANDSHAKES_IN_FLIGHT);
    this.connect = (t) => this.descriptors.gate(() => this.handshakes.gate(() => deps.connect(t)));
  }

  /** Sessions now holding a slot. */
  get size(): number {
    return this.slots;
  }

  /**
   * Every dial's session events, tagged, each end a `down` event. Completes once the source is
   * exhausted and every dial is over; one subscriber at a time.
   */
  events(): Observable<TaggedEvent> {
    return new Observable<TaggedEvent>((subscriber) => {
      this.out = subscriber;
      this.drain();
      return () => {
        this.out = undefined;
        for (const s of this.pausing) s.unsubscribe();
        this.pausing.clear();
        for (const s of [...this.sessions]) s.unsubscribe();
        this.sessions.clear();
      };
    });
  }

  /** The source has new targets: dial them while slots are free. */
  wake(): void {
    this.drain();
  }

  /** The one loop: settles ended dials, then starts dials while slots are free, until neither is left. */
  private drain(): void {
    if (this.draining) return; // the running loop reads what was just noted
    this.draining = true;
    try {
      for (;;) {
        const end = this.ends.shift();
        if (end) {
          this.settle(end);
          continue;
        }
        const out = this.out;
        if (!out || out.closed || this.slots >= this.opts.maxPeers) break;
        const next = this.again.shift() ?? this.source.take(this.scheduler.now());
        if (!next) break;
        this.slots++;
        this.start(next);
      }
      const idle = this.slots === 0 && this.again.length === 0 && this.pausing.size === 0;
      if (idle && this.source.exhausted) this.out?.complete();
    } finally {
      this.draining = false;
    }
  }

  private start(dial: Dial): void {
    const kept = this.opts.reconnect && dial.configured;
    let again = false;
    let session: Subscription | undefined;
    session = keepPeer(dial.target, { connect: this.connect, scheduler: this.scheduler }, kept).subscribe({
      next: (e) => {
        if (e.ev.type === 'down' && e.ev.reason === OUT_OF_DESCRIPTORS) {
          this.descriptors.exhausted();
          // A configured peer is redialled anyway; a learned one, dialled once, must not be lost.
          again = !kept;
        }
        this.out?.next(e);
      },
      complete: () => {
        if (session) this.sessions.delete(session);
        session = undefined;
        this.ends.push({ dial, again });
        this.drain();
      },
    });
    if (!session.closed) this.sessions.add(session);
    else session = undefined;
  }

  private settle({ dial, again }: Ended): void {
    this.slots--;
    if (!again) return this.source.ended(dial);
    // Our limit, not the address's fault: dialled again after a pause, before any new target.
    const pause: Subscription = timer(EMFILE_PAUSE_MS, this.scheduler).subscribe(() => {
      this.pausing.delete(pause);
      this.again.push(dial);
      this.drain();
    });
    this.pausing.add(pause);
  }
}
