import { Observable, timer, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import type { Logger } from '../log/logger.js';
import type { AddrV2Entry } from '../wire/messages.js';
import type { DialOptions } from '../net/dial.js';
import { AddressBook, entryOfIp, type KnownAddress } from './addrbook.js';
import { BoundedSet } from './bounded-set.js';
import { EMFILE_PAUSE_MS } from './descriptors.js';
import { formatEndpoint, type Endpoint } from '../net/endpoint.js';

/**
 * Learned addresses waiting for a free slot, at most: beyond it a new address stays in the book
 * but is not queued. With the book's and the dialled set's caps, this bounds discovery's memory
 * however many addresses peers gossip (spec/crawler/memory.spec.ts measures it).
 */
export const MAX_PENDING_DIALS = 65_536;

export interface DiscoveryOptions {
  /** Dial reachable learned addresses (once each). */
  readonly discover: boolean;
  /** Visit each address once and end when none is left to visit. */
  readonly census: boolean;
  /** Connections (sessions) at once. */
  readonly limit: number;
  /** Which learned addresses may be dialled (Core's routability and bad ports; local ones on regtest). */
  readonly dial?: DialOptions;
}

/** A DNS seed's answer: an address to learn, and the seed that gave it. */
export interface SeedAddress {
  readonly target: Endpoint;
  readonly source: string;
}

/** Where a dial came from: configured peers are kept connected; the rest are dialled once. */
export interface Dial {
  readonly target: Endpoint;
  readonly configured: boolean;
}

/**
 * Discovery's bookkeeping and the pool's queue: the address book, which addresses were dialled
 * (never two connections to one address, configured and learned alike), the dials waiting for a
 * slot, and, for a census, when nothing is left to visit. `dials` emits a dial only while fewer
 * than `limit` sessions are live, so the pool (crawl.ts) never buffers; the pool tells discovery
 * when a session ends.
 *
 * Configured peers come first; then (as learned addresses: dialled once, then as discovery
 * decides) the book's addresses in dialOrder and the DNS seeds' answers; then whatever peers gossip.
 */
export class Discovery {
  readonly book: AddressBook;
  private readonly dialled: BoundedSet<string>;
  private readonly configured: Dial[];
  /** The configured peers' keys, never forgotten (the dialled set forgets): never dialled again as learned. */
  private readonly configuredKeys = new Set<string>();
  private readonly pending = new Map<string, Endpoint>();
  private readonly live = new Map<string, Endpoint>();
  /** Dials waiting out EMFILE_PAUSE_MS after running out of descriptors. */
  private readonly retrying = new Set<Subscription>();
  private sink: Subscriber<Dial> | undefined;
  private scheduler: SchedulerLike | undefined;
  private pumping = false;

  constructor(
    configured: readonly Endpoint[],
    seeds: readonly SeedAddress[],
    private readonly opts: DiscoveryOptions,
    private readonly log: Logger,
    book?: AddressBook,
  ) {
    this.book = book ?? new AddressBook(opts.dial);
    this.dialled = new BoundedSet<string>(this.book.capacity);
    this.configured = [];
    for (const t of configured) {
      const key = formatEndpoint(t);
      if (this.configuredKeys.has(key)) continue;
      this.configuredKeys.add(key);
      this.configured.push({ target: t, configured: true });
    }
    /** Seeds given by name (through a proxy, the proxy resolves them): dialled once, kept out of the book. */
    const named: Endpoint[] = [];
    for (const { target, source } of seeds) {
      const e = entryOfIp(target.host, target.port);
      if (e) this.book.add(e, source, { attempts: 0 });
      else named.push(target);
    }
    // Seeds rank with the book's never-tried addresses: after those that worked, before those that
    // failed. Without configured peers they are where the crawl starts, discovering or not.
    if (opts.discover || configured.length === 0) {
      for (const a of this.book.ranked()) this.enqueue(this.targetOf(a));
      for (const t of named) this.enqueue(t);
    }
  }

  /** How many learned addresses wait for a slot. */
  get waiting(): number {
    return this.pending.size;
  }

  /**
   * The dials, as slots free up. Completes, in a census or without discovery, once every dial has
   * ended and none is left; with discovery, a crawl never runs out.
   */
  dials(scheduler: SchedulerLike): Observable<Dial> {
    return new Observable<Dial>((subscriber) => {
      this.sink = subscriber;
      this.scheduler = scheduler;
      this.pump();
      return () => {
        this.sink = undefined;
        for (const s of this.retrying) s.unsubscribe();
        this.retrying.clear();
      };
    });
  }

  /** Adds what a peer told us; returns the addresses new to the book, queueing those we may dial. */
  learn(peer: string, entries: readonly AddrV2Entry[]): KnownAddress[] {
    const embedded = this.book.embeddedSkipped;
    const fresh = this.book.learn(entries, peer);
    const skipped = this.book.embeddedSkipped - embedded;
    if (skipped > 0) this.log.debug('addresses skipped: IPv4, Tor v2 or internal inside IPv6, which Core ignores', { peer, skipped });
    if (!this.opts.discover) return fresh;
    for (const address of fresh) {
      if (!address.dial.ok) {
        this.log.debug('learned address not dialled', { peer, address: address.host, port: address.port, why: address.dial.why });
        continue;
      }
      this.enqueue(this.targetOf(address));
    }
    this.pump();
    return fresh;
  }

  /** A peer's handshake completed (its address worked). */
  connected(peer: string, now: number): void {
    const t = this.live.get(peer);
    if (t) this.book.success(t.host, t.port, now);
  }

  /** A dial's session is over (whatever its end); `outOfDescriptors`: dial it again after a pause. */
  ended(peer: string, outOfDescriptors = false): void {
    const t = this.live.get(peer);
    this.live.delete(peer);
    if (t && outOfDescriptors && this.scheduler) {
      // Our limit, not the address's fault: it must not be lost.
      const s: Subscription = timer(EMFILE_PAUSE_MS, this.scheduler).subscribe(() => {
        this.retrying.delete(s);
        this.pending.set(peer, t);
        this.pump();
      });
      this.retrying.add(s);
    }
    this.pump();
  }

  private targetOf(a: KnownAddress): Endpoint {
    // Services 0 says nothing (a seed's address, or a peer that gossips none): unknown.
    return a.services === 0n ? { host: a.host, port: a.port } : { host: a.host, port: a.port, services: a.services };
  }

  private enqueue(t: Endpoint): void {
    const key = formatEndpoint(t);
    if (this.dialled.has(key) || this.configuredKeys.has(key) || this.live.has(key)) return;
    if (this.pending.size >= MAX_PENDING_DIALS) {
      this.log.debug('dial queue full: address kept in the book, not queued', { address: key });
      return;
    }
    this.dialled.add(key);
    this.pending.set(key, t);
  }

  /** Hands out dials while slots are free; a dial ending meanwhile (synchronously) is handled by the same loop. */
  private pump(): void {
    if (this.pumping || !this.sink) return;
    this.pumping = true;
    try {
      while (this.sink && !this.sink.closed && this.live.size < this.opts.limit) {
        const next = this.configured.shift() ?? this.takePending();
        if (!next) break;
        const key = formatEndpoint(next.target);
        // Never two sessions to one address (Core: CConnman::AlreadyConnectedToAddress before OpenNetworkConnection).
        if (this.live.has(key)) {
          this.log.debug('already connected: not dialled twice', { address: key });
          continue;
        }
        this.live.set(key, next.target);
        if (!next.configured) this.book.attempt(next.target.host, next.target.port, this.scheduler?.now() ?? Date.now());
        this.sink.next(next);
      }
      const done = this.live.size === 0 && this.configured.length === 0 && this.pending.size === 0 && this.retrying.size === 0;
      if (done && (this.opts.census || !this.opts.discover)) this.sink?.complete();
    } finally {
      this.pumping = false;
    }
  }

  private takePending(): Dial | undefined {
    const first = this.pending.entries().next();
    if (first.done) return undefined;
    this.pending.delete(first.value[0]);
    return { target: first.value[1], configured: false };
  }
}
