/**
 * What the crawl's events print (pure): one event and the options → its line, or nothing. The
 * crawl session (lib/crawler/session.ts) adds what an event alone does not say (the peer's
 * network, the fee the mempool view knows), and writes the line to the
 * sinks the process chose; no I/O here.
 */
import type { DecodedTx } from '../wire/model.js';
import type { NetworkParams } from '../wire/network.js';
import type { DropReason } from '../peer/errors.js';
import type { PeerInfo } from '../peer/session.js';
import type { BlockView } from '../tx/block.js';
import { txLine, UNCONFIRMED, type FeeInfo } from '../tx/view.js';
import { addrLine, blockLine, peerDownLine, peerUpLine, propagationLine, reorgLine, seenOf, type BlockArrivalLine, type ReorgSummary, type AddrLineAddress, type PropagationItem, type SeenAnnouncements } from './lines.js';

/** An event as its line needs it. Times in milliseconds since the epoch. */
export type LineEvent =
  | { readonly type: 'peer-up'; readonly peer: string; readonly network: string; readonly info: PeerInfo; readonly time: number }
  | { readonly type: 'peer-down'; readonly peer: string; readonly network: string; readonly reason: DropReason; readonly message: string; readonly time: number }
  /** A census visit's end: what the node said at its handshake (`time`), its first ping's round trip. */
  | { readonly type: 'visited'; readonly peer: string; readonly network: string; readonly info: PeerInfo; readonly time: number; readonly rttMs?: number }
  /** A census visit that never finished its handshake, and why. */
  | { readonly type: 'unreachable'; readonly peer: string; readonly network: string; readonly reason: DropReason; readonly message: string; readonly time: number }
  | { readonly type: 'addr'; readonly address: AddrLineAddress; readonly time: number }
  | { readonly type: 'propagation'; readonly item: PropagationItem; readonly connected: number }
  | { readonly type: 'tx'; readonly peer: string; readonly tx: DecodedTx; readonly time: number; readonly announcements: SeenAnnouncements; readonly fee: FeeInfo | undefined }
  | { readonly type: 'block'; readonly peer: string; readonly view: BlockView; readonly time: number; readonly seen: number; readonly unseen?: number; readonly stale?: boolean; readonly arrival?: BlockArrivalLine }
  | { readonly type: 'reorg'; readonly reorg: ReorgSummary };

export interface LineOptions {
  /** The line kinds asked for (--emit). */
  readonly emit: ReadonlySet<string>;
  /** Add the raw transaction hex (--raw). */
  readonly raw: boolean;
  readonly network: NetworkParams;
}

/** The line `ev` prints, or undefined when it prints none. */
export function eventLine(ev: LineEvent, opts: LineOptions): string | undefined {
  switch (ev.type) {
    case 'peer-up':
      return opts.emit.has('peer') ? peerUpLine(ev.peer, ev.network, ev.info, ev.time) : undefined;
    case 'peer-down':
      return opts.emit.has('peer') ? peerDownLine(ev.peer, ev.network, ev.reason, ev.message, ev.time) : undefined;
    // A census prints each node once, at the end of its visit, whatever --emit says.
    case 'visited':
      return peerUpLine(ev.peer, ev.network, ev.info, ev.time, 'visited', ev.rttMs);
    case 'unreachable':
      return peerDownLine(ev.peer, ev.network, ev.reason, ev.message, ev.time, 'unreachable');
    case 'addr':
      return opts.emit.has('addr') ? addrLine(ev.address, ev.time) : undefined;
    case 'propagation':
      return propagationLine(ev.item, ev.connected);
    case 'tx':
      if (!opts.emit.has('tx')) return undefined;
      return txLine(ev.tx, opts.network, { raw: opts.raw, status: UNCONFIRMED, seen: seenOf(ev.peer, ev.time, ev.announcements), fee: ev.fee });
    case 'block':
      return opts.emit.has('block') ? blockLine(ev.view, ev.peer, ev.time, ev.seen, ev.unseen, { stale: ev.stale, arrival: ev.arrival }) : undefined;
    case 'reorg':
      return opts.emit.has('reorg') ? reorgLine(ev.reorg) : undefined;
  }
}
