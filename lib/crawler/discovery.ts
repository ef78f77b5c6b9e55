import type { Logger } from '../log/logger.js';
import type { AddrV2Entry } from '../wire/messages.js';
import type { DialOptions } from '../net/dial.js';
import { AddressBook, entryOfIp, type KnownAddress } from './addrbook.js';
import { BoundedSet } from './bounded-set.js';
import type { Dial, DialSource } from '../pool/pool.js';
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
  /** Run out once no address is left to dial (a census; a crawl without discovery), else never. */
  readonly finite: boolean;
  /** Which learned addresses may be dialled (Core's routability and bad ports; local ones on regtest). */
  readonly dial?: DialOptions;
}

/** A DNS seed's answer: an address to learn, and the seed that gave it. */
export interface SeedAddress {
  readonly target: Endpoint;
  readonly source: string;
}

export type { Dial } from '../pool/pool.js';

/**
 * The pool's source of targets (lib/pool/pool.ts DialSource; btcd's addrmgr beside its connmgr):
 * the address book, which addresses were dialled (never two connections to one address,
 * configured and learned alike), the targets waiting for a slot (bounded: MAX_PENDING_DIALS), and
 * whether any will come. The pool takes a target when a slot frees and says when its dial is
 * over; whoever calls `learn` wakes the pool (crawl.ts, census.ts).
 *
 * Configured peers come first; then (as learned addresses: dialled once, then as discovery
 * decides) the book's addresses in dialOrder and the DNS seeds' answers; then whatever peers gossip.
 */
export class Discovery implements DialSource {
  readonly book: AddressBook;
  private readonly dialled: BoundedSet<string>;
  private readonly configured: Dial[];
  /** The configured peers' keys, never forgotten (the dialled set forgets): never dialled again as learned. */
  private readonly configuredKeys = new Set<string>();
  private readonly pending = new Map<string, Endpoint>();
  /** The addresses the pool is dialling (taken, not yet ended). */
  private readonly live = new Map<string, Endpoint>();

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

  /** No address waits, and (in a census, or without discovery) none will come. */
  get exhausted(): boolean {
    return this.opts.finite && this.configured.length === 0 && this.pending.size === 0;
  }

  /** The next address to dial: configured peers first, then learned ones in the order they came. */
  take(now: number): Dial | undefined {
    for (;;) {
      const next = this.configured.shift() ?? this.takePending();
      if (!next) return undefined;
      const key = formatEndpoint(next.target);
      // Never two sessions to one address (Core: CConnman::AlreadyConnectedToAddress before OpenNetworkConnection).
      if (this.live.has(key)) {
        this.log.debug('already connected: not dialled twice', { address: key });
        continue;
      }
      this.live.set(key, next.target);
      if (!next.configured) this.book.attempt(next.target.host, next.target.port, now);
      return next;
    }
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
    return fresh;
  }

  /** A peer's handshake completed (its address worked). */
  connected(peer: string, now: number): void {
    const t = this.live.get(peer);
    if (t) this.book.success(t.host, t.port, now);
  }

  /** A dial's session is over (whatever its end). */
  ended(dial: Dial): void {
    this.live.delete(formatEndpoint(dial.target));
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

  private takePending(): Dial | undefined {
    const first = this.pending.entries().next();
    if (first.done) return undefined;
    this.pending.delete(first.value[0]);
    return { target: first.value[1], configured: false };
  }
}
