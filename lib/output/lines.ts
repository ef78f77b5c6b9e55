import type { PeerInfo } from '../peer/session.js';
import type { DropReason } from '../peer/errors.js';
import type { BlockView } from '../tx/block.js';
import type { SeenView } from '../tx/view.js';

/*
 * Line shapes live here, below lib/crawler: each line takes its own input shape, and the crawler's
 * records (inventory's Announcements, the mempool view's MempoolStats, the address book's
 * KnownAddress) fit them as they are, so nothing here imports from above.
 */

/** Who announced an item (inv) before it arrived; times in milliseconds. */
export interface SeenAnnouncements {
  readonly first: { readonly peer: string; readonly time: number };
  readonly last: { readonly peer: string; readonly time: number };
  /** Distinct peers that announced it before it arrived. */
  readonly peers: number;
}

/** A learned peer address, as an addr line shows it. */
export interface AddrLineAddress {
  /** The address's network, by Core's names: ipv4, ipv6, onion, i2p, cjdns, yggdrasil. */
  readonly network: string;
  readonly host: string;
  readonly port: number;
  readonly services: bigint;
  /** The time the announcing peer gave (unix seconds). */
  readonly time: number;
  /** Which peer told us. */
  readonly source: string;
}

/** Unix time in seconds with millisecond precision, as in the `seen.time` of tx lines. */
export function unixSeconds(ms: number): number {
  return Math.round(ms) / 1000;
}

/**
 * `event: "peer"` lines: a peer connected (state "up"), was dropped (state "down"), or, in a
 * census, was visited (state "visited", with the round-trip time of its first ping). `network` is
 * Core's name for the peer's network (ipv4, ipv6, onion, i2p, cjdns), or `name` for a host name.
 */
export function peerUpLine(peer: string, network: string, info: PeerInfo, timeMs: number, state: 'up' | 'visited' = 'up', rttMs?: number): string {
  return JSON.stringify({
    event: 'peer',
    state,
    peer,
    network,
    time: unixSeconds(timeMs),
    version: info.version,
    services: `0x${info.services.toString(16).padStart(16, '0')}`,
    user_agent: info.userAgent,
    start_height: info.startHeight,
    relay: info.relay,
    wtxid_relay: info.wtxidRelay,
    addrv2: info.addrv2,
    transport: info.transport,
    ...(rttMs === undefined ? {} : { rtt_ms: rttMs }),
  });
}

/** A peer dropped (state "down"), or, in a census, a node that could not be visited (state "unreachable"). */
export function peerDownLine(peer: string, network: string, reason: DropReason, message: string, timeMs: number, state: 'down' | 'unreachable' = 'down'): string {
  return JSON.stringify({ event: 'peer', state, peer, network, time: unixSeconds(timeMs), reason, message });
}

/**
 * A new block (`stale` when it is off the best header chain as it is printed): its summary, who delivered it, how many of its transactions the mempool view held
 * (`seen_txs`) and how many of the others (coinbase aside) were never announced to us (`unseen_txs`).
 */
export function blockLine(view: BlockView, peer: string, timeMs: number, seenTxs: number, unseenTxs?: number, stale = false): string {
  return JSON.stringify({
    ...view,
    seen_txs: seenTxs,
    ...(unseenTxs === undefined ? {} : { unseen_txs: unseenTxs }),
    // Off the best header chain when printed: a competing block (lib/crawler/headers.ts).
    ...(stale ? { stale: true } : {}),
    seen: { peer, time: unixSeconds(timeMs) },
  });
}

/** A header tip as a reorg line names it. */
export interface TipView {
  readonly hash: string;
  readonly height: number;
}

/** The best header chain moved to another branch (lib/chain/tips.ts Reorg), on a header `peer` sent. */
export interface ReorgSummary {
  readonly peer: string;
  readonly time: number;
  readonly oldTip: TipView;
  readonly newTip: TipView;
  /** The last header both branches share; undefined when it is below the kept headers. */
  readonly fork: TipView | undefined;
  /** Headers disconnected from the old best chain (Core's reorg depth). */
  readonly depth: number;
}

/**
 * `event: "reorg"` (`--emit reorg`): the best header chain moved from `old_tip` to `new_tip`, a
 * branch that does not contain it; `depth` headers left the best chain (old tip's height − the
 * fork's), as Core counts a reorg's disconnected blocks. `fork` is null when deeper than kept.
 */
export function reorgLine(r: ReorgSummary): string {
  return JSON.stringify({
    event: 'reorg',
    old_tip: r.oldTip.hash,
    old_height: r.oldTip.height,
    new_tip: r.newTip.hash,
    new_height: r.newTip.height,
    fork: r.fork?.hash ?? null,
    fork_height: r.fork?.height ?? null,
    depth: r.depth,
    seen: { peer: r.peer, time: unixSeconds(r.time) },
  });
}

/** The `seen` object of a tx line: who delivered it and its announcements (inv) before that. */
export function seenOf(peer: string, timeMs: number, a: SeenAnnouncements): SeenView {
  return {
    peer,
    time: unixSeconds(timeMs),
    first: { peer: a.first.peer, time: unixSeconds(a.first.time) },
    last: { peer: a.last.peer, time: unixSeconds(a.last.time) },
    peers: a.peers,
  };
}

/** A newly learned peer address (`--emit addr`), from the peer that told us. */
export function addrLine(a: AddrLineAddress, timeMs: number): string {
  return JSON.stringify({
    event: 'addr',
    network: a.network,
    address: a.host,
    port: a.port,
    services: `0x${a.services.toString(16).padStart(16, '0')}`,
    time: a.time,
    seen: { peer: a.source, time: unixSeconds(timeMs) },
  });
}

/** What a `propagation` line is made of (lib/crawler/propagation.ts ClosedItem), as this layer sees it. */
export interface PropagationItem {
  readonly kind: 'tx' | 'block';
  readonly name: string;
  readonly field: 'txid' | 'wtxid' | 'hash';
  readonly ids?: { readonly txid: string; readonly wtxid: string };
  readonly first: { readonly peer: string; readonly time: number };
  readonly announcers: number;
  readonly delays: { readonly p10: number; readonly p25: number; readonly p50: number; readonly p75: number; readonly p90: number; readonly max: number };
  readonly byNetwork: ReadonlyMap<string, { readonly announcers: number; readonly p50: number }>;
  readonly early: boolean;
}

/**
 * `event: "propagation"` (`--emit propagation`): one item's announcements over its window, every
 * peer counted once. A transaction is named by both ids once it arrived, else by the id it was
 * announced by; `early` only when the open-item bound closed it before its window.
 */
export function propagationLine(item: PropagationItem, connected: number): string {
  const by: Record<string, { announcers: number; p50: number }> = Object.create(null) as Record<string, { announcers: number; p50: number }>;
  for (const [net, v] of item.byNetwork) by[net] = { announcers: v.announcers, p50: v.p50 };
  const ids = item.kind === 'block' ? { hash: item.name } : (item.ids ?? { [item.field]: item.name });
  return JSON.stringify({
    event: 'propagation',
    kind: item.kind,
    ...ids,
    first: { peer: item.first.peer, time: unixSeconds(item.first.time) },
    announcers: item.announcers,
    connected,
    delay_ms: item.delays,
    by_network: by,
    ...(item.early ? { early: true } : {}),
  });
}
