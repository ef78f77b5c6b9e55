import type { PeerInfo } from '../peer/session.js';
import type { DropReason } from '../peer/errors.js';
import type { Announcements } from '../crawler/inventory.js';
import type { MempoolStats } from '../crawler/mempool.js';
import type { KnownAddress } from '../crawler/addrbook.js';
import type { BlockView } from '../tx/block.js';
import type { SeenView } from '../tx/view.js';

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

export function mempoolLine(stats: MempoolStats, timeMs: number): string {
  return JSON.stringify({ event: 'mempool', time: unixSeconds(timeMs), count: stats.count, vsize: stats.vsize, oldest_age: stats.oldestAge });
}

/** A new block: its summary, who delivered it, and how many of its transactions we had seen. */
export function blockLine(view: BlockView, peer: string, timeMs: number, seenTxs: number): string {
  return JSON.stringify({ ...view, seen_txs: seenTxs, seen: { peer, time: unixSeconds(timeMs) } });
}

/** The `seen` object of a tx line: who delivered it and its announcements (inv) before that. */
export function seenOf(peer: string, timeMs: number, a: Announcements): SeenView {
  return {
    peer,
    time: unixSeconds(timeMs),
    first: { peer: a.first.peer, time: unixSeconds(a.first.time) },
    last: { peer: a.last.peer, time: unixSeconds(a.last.time) },
    peers: a.peers,
  };
}

/** A newly learned peer address (`--emit addr`), from the peer that told us. */
export function addrLine(a: KnownAddress, timeMs: number): string {
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
