import type { PeerInfo } from '../peer/session.js';
import type { DropReason } from '../peer/errors.js';

/** Unix time in seconds with millisecond precision, as in the `seen.time` of tx lines. */
export function unixSeconds(ms: number): number {
  return Math.round(ms) / 1000;
}

/** `event: "peer"` lines: a peer connected (state "up") or was dropped (state "down"). */
export function peerUpLine(peer: string, info: PeerInfo, timeMs: number): string {
  return JSON.stringify({
    event: 'peer',
    state: 'up',
    peer,
    time: unixSeconds(timeMs),
    version: info.version,
    services: `0x${info.services.toString(16).padStart(16, '0')}`,
    user_agent: info.userAgent,
    start_height: info.startHeight,
    relay: info.relay,
    wtxid_relay: info.wtxidRelay,
    addrv2: info.addrv2,
  });
}

export function peerDownLine(peer: string, reason: DropReason, message: string, timeMs: number): string {
  return JSON.stringify({ event: 'peer', state: 'down', peer, time: unixSeconds(timeMs), reason, message });
}
