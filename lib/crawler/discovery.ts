import { Subject, delay, merge, type Observable, type SchedulerLike } from 'rxjs';
import type { Logger } from '../log.js';
import type { AddrV2Entry } from '../wire/messages.js';
import type { DialOptions } from '../net/dial.js';
import { AddressBook, type KnownAddress } from './addrbook.js';
import { BoundedSet } from './bounded-set.js';
import { EMFILE_PAUSE_MS } from './descriptors.js';
import { formatTarget, type PeerTarget } from './targets.js';

export interface DiscoveryOptions {
  /** Dial reachable learned addresses (once each). */
  readonly discover: boolean;
  /** Visit each address once and end when none is left to visit. */
  readonly census: boolean;
  /** Which learned addresses may be dialled (Core's routability and bad ports; local ones on regtest). */
  readonly dial?: DialOptions;
}

/**
 * Discovery's bookkeeping: the address book, which addresses were dialled (never two connections
 * to one address, configured and learned alike), the learned addresses still to dial, and, for a
 * census, when nothing is left to visit. The pool (crawl.ts) dials what `targets` emits and tells
 * discovery when a session ends.
 */
export class Discovery {
  readonly book: AddressBook;
  private readonly dialled: BoundedSet<string>;
  private readonly found = new Subject<PeerTarget>();
  /** Learned addresses whose dial failed for want of a file descriptor: dialled again later. */
  private readonly retries = new Subject<PeerTarget>();
  /** Dials started (configured and learned) and sessions ended: equal means nothing is left. */
  private dials: number;
  private finished = 0;

  constructor(
    configured: readonly PeerTarget[],
    private readonly opts: DiscoveryOptions,
    private readonly log: Logger,
  ) {
    this.book = new AddressBook(opts.dial);
    this.dialled = new BoundedSet<string>(this.book.capacity);
    for (const t of configured) this.dialled.add(formatTarget(t));
    this.dials = configured.length;
  }

  /** Learned addresses to dial (when discovering), and addresses retried after running out of descriptors. */
  targets(scheduler: SchedulerLike): Observable<PeerTarget> {
    const retried = this.retries.pipe(delay(EMFILE_PAUSE_MS, scheduler));
    return this.opts.discover ? merge(this.found, retried) : retried;
  }

  /** Adds what a peer told us; returns the addresses new to the book, queueing those we may dial. */
  learn(peer: string, entries: readonly AddrV2Entry[]): KnownAddress[] {
    const fresh = this.book.learn(entries, peer);
    if (!this.opts.discover) return fresh;
    for (const address of fresh) {
      if (!address.dial.ok) {
        this.log.debug('learned address not dialled', { peer, address: address.host, port: address.port, why: address.dial.why });
        continue;
      }
      const target = { host: address.host, port: address.port, services: address.services };
      const key = formatTarget(target);
      if (this.dialled.has(key)) continue;
      this.dialled.add(key);
      this.dials++;
      this.found.next(target);
    }
    return fresh;
  }

  /** A learned address's dial failed for want of a file descriptor: it is dialled again, not lost. */
  retry(target: PeerTarget): void {
    this.dials++;
    this.retries.next(target);
  }

  /** One dial's session is over (whatever its end). */
  sessionEnded(): void {
    if (++this.finished < this.dials) return;
    // Nothing left to dial: a census is done; without discovery nothing more can come.
    if (this.opts.census) this.found.complete();
    if (this.opts.census || !this.opts.discover) this.retries.complete();
  }
}
