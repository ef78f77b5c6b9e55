import { InvType, type InvItem } from '../wire/messages.js';
import type { InventoryLimits } from './inventory-limits.js';
import { WaitQueue, type WaitNode } from './wait-queue.js';

/**
 * The inventory's records (see inventory.ts): an item and its announcers, a peer and its queue of
 * items waiting for a free slot, and the few operations on them alone.
 */

export type PeerId = string;

/** How an announced item is identified, which decides how it is asked for. */
export type ItemKind = 'txid' | 'wtxid' | 'block';

/** A getdata to send: which peer, which items. */
export interface Request {
  readonly peer: PeerId;
  readonly items: InvItem[];
}

/** Who announced an item and when: the propagation record researchers measure. */
export interface Announcements {
  readonly first: { readonly peer: PeerId; readonly time: number };
  readonly last: { readonly peer: PeerId; readonly time: number };
  /** Distinct peers that announced it before it arrived. */
  readonly peers: number;
}

export interface Entry {
  /** hashKey(hash): every look-up by hash (entries, seen, deadlines) uses this one key. */
  readonly key: string;
  readonly block: boolean;
  /** A copy: a view would pin the whole inv payload it came in (up to 1.8 MB) for as long as we wait. */
  readonly hash: Uint8Array;
  readonly first: { readonly peer: PeerId; readonly time: number };
  lastPeer: PeerId;
  lastTime: number;
  /** Every announcer, remembered or not: distinct peers (a peer that failed and announces again counts again). */
  announcedBy: number;
  /**
   * Up to maxFallbackAnnouncers (+1: see announce) peers that announced it and have not failed
   * to deliver it, in announcement order, each with the id kind it used: a legacy transaction's
   * txid is its wtxid, so a wtxid-relay peer (MSG_WTX) and a 70015 peer (MSG_TX) announce it under
   * one key, and each must be asked its own way.
   */
  readonly announcers: Map<PeerState, ItemKind>;
  /** The other announcers, one bit per peer slot; allocated when the first one comes. */
  others: Uint32Array | undefined;
  requestedFrom: PeerState | undefined;
  /**
   * Announcers of a block to ask for it as a compact block (BIP 152 MSG_CMPCT_BLOCK): the header
   * sync's choice, as Core's HeadersDirectFetchBlocks makes it (fetcher.ts fetchBlocks). A peer
   * leaves it when the compact block fails (wholeBlock) or does not come in time (expire): it is
   * then asked for the whole block. Undefined for most entries.
   */
  compact: Set<PeerState> | undefined;
  /**
   * The peers it waits at for a free slot, with its node in each one's queue: taken out of every
   * queue at once when it is asked for, delivered or forgotten, so no queue holds a stale entry.
   * Only while it waits (most items are asked for at once and never wait).
   */
  waits: Map<PeerState, WaitNode<Entry>> | undefined;
}

/**
 * One peer's side. Entries and peers refer to each other by object, not by key: a delivered
 * transaction announced by thousands of peers leaves thousands of sets, and at 10,000 peers × 20
 * tx/s string-keyed look-ups there were a third of the crawler's CPU (BENCHMARKS.md).
 */
export interface PeerState {
  readonly id: PeerId;
  /** Its bit in entries' `others` bitmaps; reused once the peer is dropped and its bits cleared. */
  readonly slot: number;
  /**
   * The id kind of its last tx announcement: how to ask it for an item it is only a bit for. Core
   * ignores a peer's tx invs that do not match its wtxidrelay setting (net_processing.cpp,
   * ProcessMessage INV), so an honest peer announces every tx one way.
   */
  txKind: ItemKind;
  /** Dropped: nothing more is asked of it. */
  gone: boolean;
  /**
   * Pending entries it announced, is remembered for, and has not failed to deliver; undefined
   * when none (most of 10,000 peers most of the time: an empty Set is ~130 bytes).
   */
  announced: Set<Entry> | undefined;
  /** Requests in flight: the entries whose requestedFrom is this peer, counted. */
  txInFlight: number;
  blocksInFlight: number;
  /**
   * Announced entries waiting for a free slot at this peer, in order (one that failed elsewhere
   * first). Only live ones: each is pending, asked of nobody, and announced by this peer, so there
   * are at most maxAnnouncementsPerPeer; undefined when none.
   */
  waiting: WaitQueue<Entry> | undefined;
}

export function kindOf(type: number): ItemKind | undefined {
  switch (type) {
    case InvType.TX:
    case InvType.WITNESS_TX:
      return 'txid';
    case InvType.WTX:
      return 'wtxid';
    case InvType.BLOCK:
    case InvType.WITNESS_BLOCK:
      return 'block';
    default:
      // Filtered and compact blocks are never announced by inv to a peer that did not ask.
      return undefined;
  }
}

/** Always ask with witness data: BIP 339 wtxid, BIP 144 witness tx and block types. */
export function requestType(kind: ItemKind): number {
  return kind === 'wtxid' ? InvType.WTX : kind === 'txid' ? InvType.WITNESS_TX : InvType.WITNESS_BLOCK;
}

export interface Delivery {
  /** Not delivered before (by any peer, under either id). */
  readonly fresh: boolean;
  /** We had asked for it (or it was announced to us and is awaited). */
  readonly wanted: boolean;
  /** Its announcements, when it was wanted. */
  readonly announcements?: Announcements;
  readonly requests: Request[];
}

/** `entry` waits at `state` (once), at the back, or at the front when it already failed elsewhere. */
export function enqueue(state: PeerState, entry: Entry, front: boolean): void {
  if (entry.waits?.has(state)) return;
  const queue = (state.waiting ??= new WaitQueue());
  (entry.waits ??= new Map()).set(state, front ? queue.unshift(entry) : queue.push(entry));
}

export function unqueue(state: PeerState, entry: Entry): void {
  const node = entry.waits?.get(state);
  if (node === undefined || entry.waits === undefined) return;
  leaveQueue(state, node);
  entry.waits.delete(state);
  if (entry.waits.size === 0) entry.waits = undefined;
}

/** Bounded: an entry waits only at its remembered announcers (maxFallbackAnnouncers + 1). */
export function unqueueAll(entry: Entry): void {
  if (entry.waits === undefined) return;
  for (const [state, node] of entry.waits) leaveQueue(state, node);
  entry.waits = undefined;
}

function leaveQueue(state: PeerState, node: WaitNode<Entry>): void {
  const queue = state.waiting;
  if (queue === undefined) return;
  queue.remove(node);
  if (queue.size === 0) state.waiting = undefined;
}

/**
 * Every remembered announcer of `entry` failed: the next ones come from its `others` bitmap, in
 * slot order (their announcement order was not kept), each asked the way it announces txs. True
 * when the bitmap is left empty (the caller lets it go).
 */
export function recruit(entry: Entry, bySlot: ReadonlyArray<PeerState | undefined>, limits: InventoryLimits): boolean {
  const bits = entry.others;
  if (bits === undefined) return false;
  for (let w = 0; w < bits.length && entry.announcers.size < limits.maxFallbackAnnouncers; w++) {
    while (bits[w] !== 0 && entry.announcers.size < limits.maxFallbackAnnouncers) {
      const bit = 31 - Math.clz32(bits[w] & -bits[w]);
      bits[w] &= ~(1 << bit);
      const state = bySlot[w * 32 + bit];
      if (state === undefined || state.gone || announcedCount(state) >= limits.maxAnnouncementsPerPeer) continue;
      entry.announcers.set(state, entry.block ? 'block' : state.txKind);
      (state.announced ??= new Set()).add(entry);
    }
  }
  return bits.every((w) => w === 0);
}

/** `state` may be asked for one more item of `entry`'s kind. */
export function hasRoom(limits: InventoryLimits, state: PeerState, entry: Entry): boolean {
  return entry.block ? state.blocksInFlight < limits.maxBlocksInFlightPerPeer : state.txInFlight < limits.maxTxInFlightPerPeer;
}

export function announcedCount(state: PeerState): number {
  return state.announced?.size ?? 0;
}

/** `entry` leaves `state.announced`; an emptied set is let go (see PeerState.announced). */
export function unannounce(state: PeerState, entry: Entry): void {
  const set = state.announced;
  if (set !== undefined && set.delete(entry) && set.size === 0) state.announced = undefined;
}

/** Collects getdata items per peer, in order. */
export class Batch {
  readonly byPeer = new Map<PeerState, Array<{ readonly entry: Entry; readonly item: InvItem }>>();
  add(state: PeerState, entry: Entry, item: InvItem): void {
    let items = this.byPeer.get(state);
    if (!items) this.byPeer.set(state, (items = []));
    items.push({ entry, item });
  }

  /**
   * The requests that still stand: one message (a notfound naming several items, say) can free a
   * slot, fill it, then withdraw the very item it was filled with.
   */
  standing(entries: ReadonlyMap<string, Entry>): Request[] {
    const requests: Request[] = [];
    for (const [state, asked] of this.byPeer) {
      const items: InvItem[] = [];
      for (const a of asked) if (a.entry.requestedFrom === state && entries.get(a.entry.key) === a.entry) items.push(a.item);
      if (items.length > 0) requests.push({ peer: state.id, items });
    }
    return requests;
  }
}
