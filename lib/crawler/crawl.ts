import { Observable, asyncScheduler, interval, mergeMap, tap } from 'rxjs';
import type { Subscription } from 'rxjs';
import type { Block, DecodedTx } from '../wire/model.js';
import { asPeerError, PeerError, type DropReason } from '../peer/errors.js';
import type { PeerInfo, PeerLink } from '../peer/session.js';
import { Inventory, type Announcements, type InventoryLimits, type PeerId, type Request } from './inventory.js';
import { InvType, type AddrV2Entry } from '../wire/messages.js';
import { toReversedHex } from '../wire/hex.js';
import { PROTOCOL_VERSION } from '../wire/limits.js';
import { validateBlock } from '../tx/pow.js';
import type { ChainParams } from '../chain/params.js';
import { HeaderTree } from '../chain/tree.js';
import { HeaderSync, type ChainAction } from './headers.js';
import type { DialOptions } from '../net/dial.js';
import { GetdataOutbox } from './outbox.js';
import { AnnouncementWatch } from './announcements.js';
import { MAX_CLOSED_REMEMBERED, MAX_OPEN_ITEMS, type ClosedItem } from './propagation.js';
import { askedFor } from './accept.js';
import { DescriptorGate } from './descriptors.js';
import { HandshakeGate, MAX_HANDSHAKES_IN_FLIGHT } from './handshakes.js';
import { TxidHistory } from './txid-history.js';
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
import { keepPeer, type CrawlDeps, type TaggedEvent } from './keep-peer.js';

/** How often request deadlines are checked. */
export const EXPIRY_TICK_MS = 1_000;

/**
 * The crawl: every peer's events merged and routed by command. `inv` goes to the inventory,
 * which answers with `getdata`; `tx`/`block` come out once each, if we asked for them;
 * `notfound`, request timeouts and dropped peers move requests to the next announcer.
 * `paused` (stdout backpressure) pauses every peer's socket until it turns false.
 */
export interface CrawlStreamOptions {
  readonly reconnect: boolean;
  readonly limits: InventoryLimits;
  /** Stdout backpressure: true pauses every peer's socket. */
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
    const inventory = new Inventory(opts.limits);
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
    const learn = (peer: PeerId, entries: readonly AddrV2Entry[], now: number): void => {
      for (const address of discovery.learn(peer, entries)) subscriber.next({ type: 'addr', peer, address, time: now });
    };
    const links = new Map<PeerId, PeerLink>();
    /** Ends one peer for a bug of ours or a misdeed of its own; the rest go on. */
    const failPeer = (peer: PeerId, err: unknown): void => {
      const e = asPeerError(err);
      if (e.reason === 'internal') deps.log.error('internal error, dropping the peer', { peer, error: e.message });
      links.get(peer)?.fail(e);
    };
    const outbox = new GetdataOutbox((peer, items) => {
      try {
        links.get(peer)?.send({ command: 'getdata', items });
      } catch (err) {
        failPeer(peer, err);
      }
    });
    const send = (requests: readonly Request[]): void => outbox.add(requests);
    const sync = new HeaderSync(new HeaderTree(opts.chain));
    const act = (actions: readonly ChainAction[], now: number): void => {
      for (const a of actions) {
        if (a.type === 'getheaders') links.get(a.peer)?.send({ command: 'getheaders', version: PROTOCOL_VERSION, locator: a.locator, stop: new Uint8Array(32) });
        else if (a.type === 'fetch') send(inventory.announce(a.peer, a.hashes.map((hash) => ({ type: InvType.BLOCK, hash })), now));
        else if (a.type === 'drop') failPeer(a.peer, new PeerError('invalid-header', a.message));
        else if (a.type === 'ignored') deps.log.debug('block not reported', { peer: a.peer, hash: a.hash, why: a.why });
        else subscriber.next({ type: 'block', peer: a.peer, block: a.block, time: a.time, height: a.height });
      }
    };
    // Stdout backpressure: while our output is blocked no getdata goes out and request deadlines
    // stand still, but every socket is still read, so pings, pongs and invs keep flowing.
    let pausedSince: number | undefined;
    // Every transaction printed in the last two weeks: none is printed twice while it can be relayed.
    const printed = new TxidHistory();
    /** Deliveries not taken while the output was full; asked again once it drains. */
    let refused = 0;
    const refuse = (peer: PeerId, ids: readonly Uint8Array[]): void => {
      if (refused++ === 0) deps.log.warn('output buffer full: deliveries are asked again once stdout drains');
      send(inventory.askAgain(peer, ids));
    };

    const watch = opts.propagation && new AnnouncementWatch(opts.propagation.windowMs, MAX_OPEN_ITEMS, MAX_CLOSED_REMEMBERED);

    const route = (t: TaggedEvent): void => {
      const { peer, ev } = t;
      // When the bytes were read from the socket (see SessionEvent), not now.
      const now = (ev.type === 'message' || ev.type === 'ready') && ev.at !== undefined ? ev.at : scheduler.now();
      switch (ev.type) {
        case 'ready':
          links.set(peer, ev.link);
          discovery.connected(peer, now);
          // Core answers one getaddr per connection, with up to 1,000 addresses.
          if (opts.askAddresses) ev.link.send({ command: 'getaddr' });
          subscriber.next({ type: 'peer-up', peer, info: ev.info, time: now });
          watch?.up(peer, opts.propagation?.networkOf(peer) ?? '', now);
          // A census visit is too short for header sync, and prints no blocks.
          if (!opts.census) act(sync.ready(peer, now), now);
          return;
        case 'down':
          // A session that is not the registered one (never two, see Discovery) must not end that one's.
          if (links.has(peer) && links.get(peer) !== ev.link) return deps.log.debug('a second session ended', { peer });
          links.delete(peer);
          outbox.forget(peer);
          send(inventory.dropPeer(peer, now));
          subscriber.next({ type: 'peer-down', peer, reason: ev.reason, message: ev.message, time: now });
          watch?.down(peer, now);
          act(sync.down(peer, now), now);
          return;
        case 'rtt':
          subscriber.next({ type: 'rtt', peer, ms: ev.ms });
          return;
        case 'message':
          break;
      }
      const msg = ev.msg;
      switch (msg.command) {
        case 'inv':
          watch?.inv(peer, msg.items, now);
          send(inventory.announce(peer, msg.items, now));
          act(sync.announced(peer, msg.items.filter((i) => i.type === InvType.BLOCK).map((i) => i.hash), now), now);
          return;
        case 'addr':
          learn(peer, msg.addrs.map(fromLegacy), now);
          return;
        case 'addrv2':
          learn(peer, msg.addrs, now);
          return;
        case 'headers':
          // Answers to our getheaders, and announcements (BIP 130): new blocks near the tip are fetched.
          watch?.headers(peer, msg.headers, now);
          act(sync.headers(peer, msg.headers, now), now);
          return;
        case 'notfound':
          send(inventory.notFound(peer, msg.items, now));
          return;
        case 'tx': {
          const { tx } = msg;
          // readTx gives a legacy tx one array for both ids.
          const ids = tx.txid === tx.wtxid ? [tx.txid] : [tx.txid, tx.wtxid];
          if (!askedFor(inventory, outbox, ids)) return deps.log.debug('unsolicited tx ignored', { peer });
          if (opts.outputFull?.()) return refuse(peer, ids);
          const d = inventory.delivered(ids, now);
          send(d.requests);
          watch?.delivered(tx);
          if (d.announcements && d.fresh && printed.add(tx.txid, now)) subscriber.next({ type: 'tx', peer, tx, time: now, announcements: d.announcements });
          return;
        }
        case 'block': {
          const { block } = msg;
          const ids = [block.header.hash];
          if (!askedFor(inventory, outbox, ids)) return deps.log.debug('unsolicited block ignored', { peer });
          if (opts.outputFull?.()) return refuse(peer, ids);
          // Core: an invalid block is misbehaviour (net_processing.cpp MaybePunishNodeForBlock).
          // Its other announcers stay: the same hash may yet come whole from one of them.
          const check = validateBlock(block, opts.chain.powLimit);
          if (!check.ok) throw new PeerError('invalid-block', `block ${toReversedHex(block.header.hash)}: ${check.why}`);
          const d = inventory.delivered(ids, now);
          send(d.requests);
          if (d.fresh) act(sync.block(peer, block, now), now);
          return;
        }
        default:
        // Everything else a crawler may ignore: sendcmpct, feefilter, sendheaders, getheaders,
        // getaddr, pong (liveness has seen it), unknown commands.
      }
    };

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
          next: (t) => {
            // One event's failure is its peer's: a throw here must never reach the process.
            try {
              route(t);
            } catch (err) {
              failPeer(t.peer, err);
            }
          },
          error: (err: unknown) => subscriber.error(err),
          complete: () => subscriber.complete(),
        }),
      interval(EXPIRY_TICK_MS, scheduler).subscribe(() => {
        if (pausedSince === undefined) send(inventory.expire(scheduler.now()));
        for (const item of watch?.due(scheduler.now()) ?? []) subscriber.next({ type: 'propagation', item, connected: links.size });
      }),
    );
    if (opts.paused) {
      subs.push(
        opts.paused.subscribe((blocked) => {
          const now = scheduler.now();
          if (blocked && pausedSince === undefined) {
            pausedSince = now;
            outbox.hold();
          } else if (!blocked && pausedSince !== undefined) {
            inventory.postpone(now - pausedSince);
            pausedSince = undefined;
            if (refused > 0) deps.log.warn('stdout drained: asking again for what the full output buffer refused', { refused });
            refused = 0;
            outbox.release();
          }
        }),
      );
    }
    return () => {
      outbox.close();
      for (const s of subs) s.unsubscribe();
    };
  });
}
