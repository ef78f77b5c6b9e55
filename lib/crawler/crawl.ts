import { Observable, asyncScheduler, interval, mergeMap, tap } from 'rxjs';
import type { Subscription } from 'rxjs';
import type { Block, DecodedTx } from '../wire/model.js';
import { PeerError, type DropReason } from '../peer/errors.js';
import type { PeerInfo } from '../peer/session.js';
import type { Announcements, InventoryLimits, PeerId } from './inventory.js';
import { InvType, type AddrV2Entry } from '../wire/messages.js';
import { PROTOCOL_VERSION } from '../wire/limits.js';
import type { ChainParams } from '../chain/params.js';
import { HeaderTree } from '../chain/tree.js';
import { HeaderSync, type ChainAction } from './headers.js';
import type { DialOptions } from '../net/dial.js';
import { AnnouncementWatch } from './announcements.js';
import { MAX_CLOSED_REMEMBERED, MAX_OPEN_ITEMS, type ClosedItem } from './propagation.js';
import { Fetcher } from './fetcher.js';
import { Router } from './router.js';
import { DescriptorGate } from './descriptors.js';
import { HandshakeGate, MAX_HANDSHAKES_IN_FLIGHT } from './handshakes.js';
import { formatEndpoint, type Endpoint } from '../net/endpoint.js';
import { fromLegacy, type KnownAddress } from './addrbook.js';
import { Discovery, type SeedAddress } from './discovery.js';
import { CENSUS_DEADLINE_MS, CENSUS_VISIT_MS, censusVisit } from './census.js';

/** What the crawl reports. Times are milliseconds since the epoch (the scheduler's clock). */
export type CrawlEvent =
  | { readonly type: 'peer-up'; readonly peer: PeerId; readonly info: PeerInfo; readonly time: number }
  | { readonly type: 'peer-down'; readonly peer: PeerId; readonly reason: DropReason; readonly message: string; readonly time: number }
  | { readonly type: 'rtt'; readonly peer: PeerId; readonly ms: number }
  | { readonly type: 'tx'; readonly peer: PeerId; readonly tx: DecodedTx; readonly time: number; readonly announcements: Announcements }
  | { readonly type: 'block'; readonly peer: PeerId; readonly block: Block; readonly time: number; readonly height: number }
  | { readonly type: 'addr'; readonly peer: PeerId; readonly address: KnownAddress; readonly time: number }
  | { readonly type: 'propagation'; readonly item: ClosedItem; readonly connected: number };

export { keepPeer, redialDelay, REDIAL_BASE_MS, REDIAL_MAX_MS, NOT_REDIALLED, type CrawlDeps, type TaggedEvent } from './keep-peer.js';
import { keepPeer, type CrawlDeps } from './keep-peer.js';

/** How often request deadlines are checked. */
export const EXPIRY_TICK_MS = 1_000;

/**
 * The crawl: the dials (discovery, within descriptor and handshake limits; census visits), and
 * every peer's events merged and routed by command (router.ts) to the rooms: sessions, the
 * propagation watch, addresses, the fetcher (fetcher.ts), the header sync (headers.ts).
 * `paused` (stdout backpressure) holds our getdata and stops request deadlines; sockets are still read.
 */
export interface CrawlStreamOptions {
  readonly reconnect: boolean;
  readonly limits: InventoryLimits;
  /** Stdout backpressure: true holds every getdata and stops request deadlines (sockets are still read). */
  readonly paused?: Observable<boolean>;
  /** Send `getaddr` after each handshake and report learned addresses. */
  readonly askAddresses?: boolean;
  /** Dial reachable learned addresses (once each), within `maxPeers` connections. */
  readonly discover?: boolean;
  readonly maxPeers?: number;
  /** Dials from their start to a finished handshake, at most (MAX_HANDSHAKES_IN_FLIGHT). */
  readonly maxHandshakes?: number;
  /** Visit each peer once (version, RTT, addresses) and end when no address is left to visit. */
  readonly census?: boolean;
  /** A census visit's whole deadline, dial to done (CENSUS_DEADLINE_MS unless given). */
  readonly visitTimeoutMs?: number;
  /** Which learned addresses may be dialled (Core's routability and bad ports; local ones on regtest). */
  readonly dial?: DialOptions;
  /** DNS seeds' answers: learned addresses (dialled once, then as discovery decides), never kept like configured peers. */
  readonly seeds?: readonly SeedAddress[];
  /**
   * The network's header rules and anchor: a block above its proof-of-work limit, or failing its
   * merkle or witness checks, drops its peer; a block is reported only once its header connects
   * to the header tree near its best tip (lib/crawler/headers.ts).
   */
  readonly chain: ChainParams;
  /** `--emit propagation`: every announcement tracked over this window; each peer's network as its line names it. */
  readonly propagation?: { readonly windowMs: number; readonly networkOf: (peer: PeerId) => string };
  /** The output buffer is over its bound (MAX_OUTPUT_BUFFER_BYTES): deliveries are asked again later, not taken. */
  readonly outputFull?: () => boolean;
}

export function crawl(targets: readonly Endpoint[], opts: CrawlStreamOptions, deps: CrawlDeps): Observable<CrawlEvent> {
  const scheduler = deps.scheduler ?? asyncScheduler;
  return new Observable<CrawlEvent>((subscriber) => {
    const subs: Subscription[] = [];
    const discovery = new Discovery(
      targets,
      opts.seeds ?? [],
      { discover: opts.discover === true, census: opts.census === true, dial: opts.dial, limit: opts.maxPeers ?? Infinity },
      deps.log,
      deps.book,
    );
    const visitDeps: CrawlDeps = opts.census ? { ...deps, connect: (t) => deps.connect(t).pipe(censusVisit(CENSUS_VISIT_MS, opts.visitTimeoutMs ?? CENSUS_DEADLINE_MS, scheduler)) } : deps;
    // Out of file descriptors: new dials wait, and the address is dialled again (not burnt).
    const descriptors = new DescriptorGate(scheduler, deps.log, deps.openFilesLimit);
    // A burst of dials waits for handshake slots, so that no handshake starves past its deadline.
    const handshakes = new HandshakeGate(opts.maxHandshakes ?? MAX_HANDSHAKES_IN_FLIGHT);
    const dialDeps: CrawlDeps = { ...visitDeps, connect: (t) => descriptors.gate(() => handshakes.gate(() => visitDeps.connect(t))) };

    // The rooms, each registering the commands it handles (router.ts); handlers run in this order.
    const router = new Router(deps.log);
    // Sessions first: a peer's up line precedes anything learned from it, its down line follows all.
    router
      .onUp((peer, info, now) => {
        discovery.connected(peer, now);
        // Core answers one getaddr per connection, with up to 1,000 addresses.
        if (opts.askAddresses) router.send(peer, { command: 'getaddr' });
        subscriber.next({ type: 'peer-up', peer, info, time: now });
      })
      .onDown((peer, now, why) => subscriber.next({ type: 'peer-down', peer, reason: why.reason, message: why.message, time: now }))
      .onRtt((peer, ms) => subscriber.next({ type: 'rtt', peer, ms }));
    // Announcements over the window: before the fetcher, so that a delivery finds its item open.
    const watch = opts.propagation && new AnnouncementWatch(opts.propagation.windowMs, MAX_OPEN_ITEMS, MAX_CLOSED_REMEMBERED);
    if (watch && opts.propagation) {
      const networkOf = opts.propagation.networkOf;
      router
        .onUp((peer, _info, now) => watch.up(peer, networkOf(peer), now))
        .onDown((peer, now) => watch.down(peer, now))
        .on('inv', (peer, msg, now) => watch.inv(peer, msg.items, now))
        .on('headers', (peer, msg, now) => watch.headers(peer, msg.headers, now));
    }
    // Addresses: learned, and dialled as discovery decides.
    const learn = (peer: PeerId, entries: readonly AddrV2Entry[], now: number): void => {
      for (const address of discovery.learn(peer, entries)) subscriber.next({ type: 'addr', peer, address, time: now });
    };
    router.on('addr', (peer, msg, now) => learn(peer, msg.addrs.map(fromLegacy), now)).on('addrv2', (peer, msg, now) => learn(peer, msg.addrs, now));
    // Fetching: inv → getdata, each tx and block once.
    const sync = new HeaderSync(new HeaderTree(opts.chain));
    const fetcher = new Fetcher(router, { limits: opts.limits, powLimit: opts.chain.powLimit, outputFull: opts.outputFull }, deps.log, {
      tx: (peer, tx, now, announcements) => subscriber.next({ type: 'tx', peer, tx, time: now, announcements }),
      delivered: watch ? (tx) => watch.delivered(tx) : undefined,
      block: (peer, block, now) => act(sync.block(peer, block, now), now),
    });
    // Headers: a block is printed once it connects near the best tip (headers.ts).
    const act = (actions: readonly ChainAction[], now: number): void => {
      for (const a of actions) {
        if (a.type === 'getheaders') router.send(a.peer, { command: 'getheaders', version: PROTOCOL_VERSION, locator: a.locator, stop: new Uint8Array(32) });
        else if (a.type === 'fetch') fetcher.announce(a.peer, a.hashes.map((hash) => ({ type: InvType.BLOCK, hash })), now);
        else if (a.type === 'drop') router.fail(a.peer, new PeerError('invalid-header', a.message));
        else if (a.type === 'ignored') deps.log.debug('block not reported', { peer: a.peer, hash: a.hash, why: a.why });
        else subscriber.next({ type: 'block', peer: a.peer, block: a.block, time: a.time, height: a.height });
      }
    };
    router
      // A census visit is too short for header sync, and prints no blocks.
      .onUp((peer, _info, now) => (opts.census ? undefined : act(sync.ready(peer, now), now)))
      .onDown((peer, now) => act(sync.down(peer, now), now))
      .on('inv', (peer, msg, now) => act(sync.announced(peer, msg.items.filter((i) => i.type === InvType.BLOCK).map((i) => i.hash), now), now))
      // Answers to our getheaders, and announcements (BIP 130): new blocks near the tip are fetched.
      .on('headers', (peer, msg, now) => act(sync.headers(peer, msg.headers, now), now));

    subs.push(
      // Configured peers are kept (redialled); learned ones are dialled once. Discovery hands out
      // dials only while fewer than maxPeers sessions are live: the rest wait in its bounded queue.
      discovery
        .dials(scheduler)
        .pipe(
          mergeMap(({ target, configured }) => {
            const kept = !opts.census && opts.reconnect && configured;
            let outOfDescriptors = false;
            return keepPeer(target, dialDeps, kept).pipe(
              tap({
                next: (e) => {
                  if (e.ev.type !== 'down' || e.ev.reason !== 'no-descriptors') return;
                  descriptors.exhausted();
                  // A configured peer is redialled anyway; a learned one, dialled once, must not be lost.
                  outOfDescriptors = !kept;
                },
                finalize: () => discovery.ended(formatEndpoint(target), outOfDescriptors),
              }),
            );
          }),
        )
        .subscribe({
          // When the bytes were read from the socket (see SessionEvent), not now.
          next: (t) => router.route(t, (t.ev.type === 'message' || t.ev.type === 'ready') && t.ev.at !== undefined ? t.ev.at : scheduler.now()),
          error: (err: unknown) => subscriber.error(err),
          complete: () => subscriber.complete(),
        }),
      interval(EXPIRY_TICK_MS, scheduler).subscribe(() => {
        fetcher.tick(scheduler.now());
        for (const item of watch?.due(scheduler.now()) ?? []) subscriber.next({ type: 'propagation', item, connected: router.size });
      }),
    );
    if (opts.paused) subs.push(opts.paused.subscribe((blocked) => fetcher.pause(blocked, scheduler.now())));
    return () => {
      fetcher.close();
      for (const s of subs) s.unsubscribe();
    };
  });
}
