import { Observable, asyncScheduler, interval } from 'rxjs';
import type { Subscription } from 'rxjs';
import type { Block, DecodedTx } from '../wire/model.js';
import { PeerError, type DropReason } from '../peer/errors.js';
import type { PeerInfo } from '../peer/session.js';
import type { Announcements, InventoryLimits, PeerId } from './inventory.js';
import { InvType } from '../wire/messages.js';
import { PROTOCOL_VERSION } from '../wire/limits.js';
import { hashKey } from '../wire/hex.js';
import type { ChainParams } from '../chain/params.js';
import { HeaderTree } from '../chain/tree.js';
import { HeaderSync, reorgSummary, type ChainAction } from './headers.js';
import type { ReorgSummary } from '../output/lines.js';
import type { DialOptions } from '../net/dial.js';
import { AnnouncementWatch } from './announcements.js';
import { MAX_CLOSED_REMEMBERED, MAX_OPEN_ITEMS, type ClosedItem } from './propagation.js';
import { Fetcher } from './fetcher.js';
import { Router } from './router.js';
import { CompactRoom, type ArrivalInfo } from './compact.js';
import type { Endpoint } from '../net/endpoint.js';
import type { AddressBook, KnownAddress } from './addrbook.js';
import { Discovery, type SeedAddress } from './discovery.js';
import { Pool, type PoolDeps } from '../pool/pool.js';
import { addressRoom, routeEvents } from './rooms.js';

/** What the crawl reports. Times are milliseconds since the epoch (the scheduler's clock). */
export type CrawlEvent =
  | { readonly type: 'peer-up'; readonly peer: PeerId; readonly info: PeerInfo; readonly time: number }
  | { readonly type: 'peer-down'; readonly peer: PeerId; readonly reason: DropReason; readonly message: string; readonly time: number }
  | { readonly type: 'rtt'; readonly peer: PeerId; readonly ms: number }
  | { readonly type: 'tx'; readonly peer: PeerId; readonly tx: DecodedTx; readonly time: number; readonly announcements: Announcements }
  | { readonly type: 'block'; readonly peer: PeerId; readonly block: Block; readonly time: number; readonly height: number; readonly stale: boolean; readonly ancestors: readonly string[]; readonly arrival?: ArrivalInfo }
  | { readonly type: 'reorg'; readonly reorg: ReorgSummary }
  | { readonly type: 'addr'; readonly peer: PeerId; readonly address: KnownAddress; readonly time: number }
  | { readonly type: 'propagation'; readonly item: ClosedItem; readonly connected: number };

/** What the crawl reaches the world through: the pool's (connect, log, clock, descriptors), and the address book. */
export interface CrawlDeps extends PoolDeps {
  /** The address book (loaded from its file, saved by the caller); a fresh one unless given. */
  readonly book?: AddressBook;
}

/** How often request deadlines are checked. */
export const EXPIRY_TICK_MS = 1_000;

/**
 * The crawl: the pool (lib/pool) dialling what discovery gives, and
 * every peer's events merged and routed by command (router.ts) to the rooms: sessions, the
 * propagation watch, addresses, the fetcher (fetcher.ts), compact blocks (compact.ts), the header
 * sync (headers.ts).
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
    const discovery = new Discovery(targets, opts.seeds ?? [], { discover: opts.discover === true, finite: opts.discover !== true, dial: opts.dial }, deps.log, deps.book);
    // Configured peers are kept (redialled); learned ones are dialled once, within maxPeers sessions.
    const pool = new Pool(discovery, { maxPeers: opts.maxPeers ?? Infinity, maxHandshakes: opts.maxHandshakes, reconnect: opts.reconnect }, deps);

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
        .on('headers', (peer, msg, now) => watch.headers(peer, msg.headers, now))
        .on('cmpctblock', (peer, msg, now) => watch.headers(peer, [msg.header], now));
    }
    // Addresses: learned, and dialled as discovery decides.
    addressRoom(router, discovery, pool, (peer, address, time) => subscriber.next({ type: 'addr', peer, address, time }));
    // Fetching: inv → getdata, each tx and block once.
    const sync = new HeaderSync(new HeaderTree(opts.chain));
    const fetcher = new Fetcher(router, { limits: opts.limits, powLimit: opts.chain.powLimit, outputFull: opts.outputFull }, deps.log, {
      tx: (peer, tx, now, announcements) => subscriber.next({ type: 'tx', peer, tx, time: now, announcements }),
      delivered: (tx) => {
        watch?.delivered(tx);
        compact.tx(tx);
      },
      block: (peer, block, now, announced) => {
        compact.downloaded(peer, block, now, announced);
        act(sync.block(peer, block, now), now);
      },
    });
    // Compact blocks (BIP 152): rebuilt from delivered transactions.
    const compact = new CompactRoom({
      router,
      fetcher,
      powLimit: opts.chain.powLimit,
      timeoutMs: opts.limits.requestTimeoutMs,
      log: deps.log,
      // The header goes to the header sync; the block is rebuilt, not fetched whole, unless that fails.
      header: (peer, header, now) => {
        const actions = sync.headers(peer, [header], now);
        act(actions.map((a) => (a.type === 'fetch' ? { ...a, hashes: a.hashes.filter((h) => hashKey(h) !== hashKey(header.hash)) } : a)), now);
        return sync.tree.get(header.hash) !== undefined;
      },
      block: (peer, block, now) => act(sync.block(peer, block, now), now),
    });
    // Headers: a block is printed once it connects near the best tip (headers.ts).
    const act = (actions: readonly ChainAction[], now: number): void => {
      for (const a of actions) {
        if (a.type === 'getheaders') router.send(a.peer, { command: 'getheaders', version: PROTOCOL_VERSION, locator: a.locator, stop: new Uint8Array(32) });
        else if (a.type === 'fetch') fetcher.fetchBlocks(a.peer, a.hashes.filter((h) => !compact.state.has(h)), compact.hb.provides(a.peer), now);
        else if (a.type === 'drop') router.fail(a.peer, new PeerError('invalid-header', a.message));
        else if (a.type === 'ignored') deps.log.debug('block not reported', { peer: a.peer, hash: a.hash, why: a.why });
        else if (a.type === 'sendheaders') router.send(a.peer, { command: 'sendheaders' });
        else if (a.type === 'reorg') subscriber.next({ type: 'reorg', reorg: reorgSummary(a) });
        else {
          // Core picks high-bandwidth peers among those that delivered a new best block first
          // (net_processing.cpp MaybeSetPeerAsAnnouncingHeaderAndIDs): a stale block does not count.
          if (!a.stale) compact.deliveredFirst(a.peer);
          subscriber.next({ type: 'block', peer: a.peer, block: a.block, time: a.time, height: a.height, stale: a.stale, ancestors: a.ancestors, arrival: compact.take(a.block.header.hash) });
        }
      }
    };
    router
      .onUp((peer, info, now) => act(sync.ready(peer, now, info.version), now))
      .onDown((peer, now) => act(sync.down(peer, now), now))
      .on('inv', (peer, msg, now) => act(sync.announced(peer, msg.items.filter((i) => i.type === InvType.BLOCK).map((i) => i.hash), now), now))
      // Answers to our getheaders, and announcements (BIP 130): new blocks near the tip are fetched.
      .on('headers', (peer, msg, now) => act(sync.headers(peer, msg.headers, now), now));

    subs.push(
      routeEvents(pool, router, scheduler, subscriber),
      interval(EXPIRY_TICK_MS, scheduler).subscribe(() => {
        fetcher.tick(scheduler.now());
        compact.tick(scheduler.now());
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
