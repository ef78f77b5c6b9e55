import { toHex } from '../wire/hex.js';
import { InvType, type InvItem } from '../wire/messages.js';
import { BoundedSet } from './bounded-set.js';

export type PeerId = string;

/** How an announced item is identified, which decides how it is asked for. */
type ItemKind = 'txid' | 'wtxid' | 'block';

/** Limits of the inventory, with the Bitcoin Core figure each follows (net_processing.cpp). */
export interface InventoryLimits {
  /** MAX_PEER_TX_REQUEST_IN_FLIGHT: transactions asked of one peer at once. */
  readonly maxTxInFlightPerPeer: number;
  /** MAX_BLOCKS_IN_TRANSIT_PER_PEER. */
  readonly maxBlocksInFlightPerPeer: number;
  /** MAX_PEER_TX_ANNOUNCEMENTS: announcements remembered per peer; more are ignored. */
  readonly maxAnnouncementsPerPeer: number;
  /** GETDATA_TX_INTERVAL: time a peer has to deliver before the next announcer is asked. */
  readonly requestTimeoutMs: number;
  /** Ids remembered as already delivered, so an item is fetched and printed once. */
  readonly seenCapacity: number;
}

export const DEFAULT_INVENTORY_LIMITS: InventoryLimits = {
  maxTxInFlightPerPeer: 100,
  maxBlocksInFlightPerPeer: 16,
  maxAnnouncementsPerPeer: 5_000,
  requestTimeoutMs: 60_000,
  // Two ids per transaction (txid and wtxid); 500,000 ids ≈ a full mainnet mempool, ~60 MB.
  seenCapacity: 500_000,
};

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

interface Entry {
  readonly key: string;
  readonly block: boolean;
  /** A copy: a view would pin the whole inv payload it came in (up to 1.8 MB) for as long as we wait. */
  readonly hash: Uint8Array;
  readonly first: { readonly peer: PeerId; readonly time: number };
  last: { readonly peer: PeerId; readonly time: number };
  announcedBy: number;
  /**
   * Peers that announced it and have not failed to deliver it, in announcement order, each with
   * the id kind it used: a legacy transaction's txid is its wtxid, so a wtxid-relay peer (MSG_WTX)
   * and a 70015 peer (MSG_TX) announce it under one key, and each must be asked its own way.
   */
  readonly announcers: Map<PeerId, ItemKind>;
  requestedFrom: PeerId | undefined;
}

interface PeerState {
  readonly announced: Set<string>;
  readonly txInFlight: Set<string>;
  readonly blocksInFlight: Set<string>;
  /** Announced keys waiting for a free slot at this peer (FIFO; stale keys are skipped). */
  readonly waiting: string[];
}

function kindOf(type: number): ItemKind | undefined {
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
function requestType(kind: ItemKind): number {
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

/**
 * Announcements in, getdata requests out. Pure: no sockets, no timers; the caller passes the
 * time and sends the requests. Each item is asked of one peer at a time; the other announcers
 * are remembered and asked next if that peer says `notfound`, times out or goes away.
 */
export class Inventory {
  private readonly entries = new Map<string, Entry>();
  private readonly peers = new Map<PeerId, PeerState>();
  /** key → deadline; insertion order is deadline order because the timeout is constant. */
  private readonly deadlines = new Map<string, number>();
  private readonly seen: BoundedSet<string>;

  constructor(readonly limits: InventoryLimits = DEFAULT_INVENTORY_LIMITS) {
    this.seen = new BoundedSet(limits.seenCapacity);
  }

  get pending(): number {
    return this.entries.size;
  }

  get inFlight(): number {
    return this.deadlines.size;
  }

  inFlightOf(peer: PeerId): number {
    const p = this.peers.get(peer);
    return p ? p.txInFlight.size + p.blocksInFlight.size : 0;
  }

  /** Announced and not delivered yet: a delivery of it would count (asked for or not yet). */
  isPending(hash: Uint8Array): boolean {
    return this.entries.has(toHex(hash));
  }

  isSeen(hash: Uint8Array): boolean {
    return this.seen.has(toHex(hash));
  }

  announce(peer: PeerId, items: readonly InvItem[], now: number): Request[] {
    const out = new Batch();
    const state = this.peerState(peer);
    for (const item of items) {
      const kind = kindOf(item.type);
      if (!kind) continue;
      const key = toHex(item.hash);
      if (this.seen.has(key) || state.announced.has(key)) continue;
      if (state.announced.size >= this.limits.maxAnnouncementsPerPeer) continue;
      let entry = this.entries.get(key);
      if (!entry) {
        const at = { peer, time: now };
        entry = { key, block: kind === 'block', hash: item.hash.slice(), announcers: new Map(), requestedFrom: undefined, first: at, last: at, announcedBy: 0 };
        this.entries.set(key, entry);
      } else if (entry.block !== (kind === 'block')) continue;
      entry.announcers.set(peer, kind);
      entry.last = { peer, time: now };
      entry.announcedBy++;
      state.announced.add(key);
      if (entry.requestedFrom === undefined) {
        if (this.hasRoom(state, entry)) this.request(entry, peer, state, now, out);
        else state.waiting.push(key);
      }
    }
    return this.live(out);
  }

  /** A tx (by txid and wtxid) or block (by hash) arrived, from whichever peer. */
  delivered(hashes: readonly Uint8Array[], now: number): Delivery {
    const out = new Batch();
    let fresh = true;
    let announcements: Announcements | undefined;
    const keys = hashes.map(toHex);
    for (const key of keys) {
      if (this.seen.has(key)) fresh = false;
      const entry = this.entries.get(key);
      if (!entry) continue;
      // Announced by txid and by wtxid (by different peers): the earliest record wins.
      if (!announcements || entry.first.time < announcements.first.time) {
        announcements = { first: entry.first, last: entry.last, peers: entry.announcedBy };
      }
      this.forget(entry, now, out);
    }
    // Only what we asked for counts as seen: an unsolicited copy is ignored, and must not stop us
    // fetching the transaction from honest announcers later.
    if (announcements) for (const key of keys) this.seen.add(key);
    return { fresh, wanted: announcements !== undefined, announcements, requests: this.live(out) };
  }

  notFound(peer: PeerId, items: readonly InvItem[], now: number): Request[] {
    const out = new Batch();
    for (const item of items) {
      const entry = this.entries.get(toHex(item.hash));
      if (entry) this.withdraw(entry, peer, now, out);
    }
    return this.live(out);
  }

  /**
   * Moves every request deadline `ms` later: the time we could not send (our output was blocked)
   * is not held against the peers (btcd's stall handler likewise extends deadlines).
   */
  postpone(ms: number): void {
    if (ms <= 0) return;
    // Every deadline moves by the same amount, so insertion order stays deadline order.
    for (const [key, deadline] of this.deadlines) this.deadlines.set(key, deadline + ms);
  }

  /** Requests past their deadline go to the next announcer. Call it every second or so. */
  expire(now: number): Request[] {
    const out = new Batch();
    for (const [key, deadline] of this.deadlines) {
      if (deadline > now) break;
      const entry = this.entries.get(key);
      if (entry?.requestedFrom !== undefined) this.withdraw(entry, entry.requestedFrom, now, out);
      else this.deadlines.delete(key);
    }
    return this.live(out);
  }

  /** A peer went away: its requests go to other announcers, its announcements are forgotten. */
  dropPeer(peer: PeerId, now: number): Request[] {
    const out = new Batch();
    const state = this.peers.get(peer);
    if (!state) return [];
    // Nothing more may be asked of it while its requests are handed on.
    state.waiting.length = 0;
    this.peers.delete(peer);
    for (const key of state.announced) {
      const entry = this.entries.get(key);
      if (entry) this.withdraw(entry, peer, now, out);
    }
    return this.live(out);
  }

  /**
   * The batch's requests that still stand: one message (a notfound naming several items, say)
   * can free a slot, fill it, then withdraw the very item it was filled with.
   */
  private live(out: Batch): Request[] {
    const requests: Request[] = [];
    for (const [peer, items] of out.byPeer) {
      const standing = items.filter((i) => this.entries.get(toHex(i.hash))?.requestedFrom === peer);
      if (standing.length > 0) requests.push({ peer, items: standing });
    }
    return requests;
  }

  private peerState(peer: PeerId): PeerState {
    let s = this.peers.get(peer);
    if (!s) {
      s = { announced: new Set(), txInFlight: new Set(), blocksInFlight: new Set(), waiting: [] };
      this.peers.set(peer, s);
    }
    return s;
  }

  private hasRoom(state: PeerState, entry: Entry): boolean {
    return entry.block
      ? state.blocksInFlight.size < this.limits.maxBlocksInFlightPerPeer
      : state.txInFlight.size < this.limits.maxTxInFlightPerPeer;
  }

  private request(entry: Entry, peer: PeerId, state: PeerState, now: number, out: Batch): void {
    const kind = entry.announcers.get(peer);
    if (kind === undefined) throw new Error(`inventory: ${peer} never announced ${entry.key}`);
    entry.requestedFrom = peer;
    (entry.block ? state.blocksInFlight : state.txInFlight).add(entry.key);
    this.deadlines.set(entry.key, now + this.limits.requestTimeoutMs);
    out.add(peer, { type: requestType(kind), hash: entry.hash });
  }

  /** Ends the request in flight for `entry`, if any, and gives the freed slot to waiting items. */
  private release(entry: Entry, now: number, out: Batch): void {
    const peer = entry.requestedFrom;
    if (peer === undefined) return;
    entry.requestedFrom = undefined;
    this.deadlines.delete(entry.key);
    const state = this.peers.get(peer);
    if (!state) return;
    (entry.block ? state.blocksInFlight : state.txInFlight).delete(entry.key);
    this.refill(peer, state, now, out);
  }

  private refill(peer: PeerId, state: PeerState, now: number, out: Batch): void {
    while (state.waiting.length > 0) {
      const entry = this.entries.get(state.waiting[0]);
      if (entry && entry.requestedFrom === undefined && entry.announcers.has(peer)) {
        if (!this.hasRoom(state, entry)) return;
        this.request(entry, peer, state, now, out);
      }
      state.waiting.shift();
    }
  }

  /** `peer` cannot deliver `entry` (notfound, timeout, gone): ask the next announcer. */
  private withdraw(entry: Entry, peer: PeerId, now: number, out: Batch): void {
    entry.announcers.delete(peer);
    this.peers.get(peer)?.announced.delete(entry.key);
    if (entry.requestedFrom === peer) this.release(entry, now, out);
    if (entry.requestedFrom !== undefined) return;
    if (entry.announcers.size === 0) {
      this.entries.delete(entry.key);
      return;
    }
    for (const next of entry.announcers.keys()) {
      const state = this.peerState(next);
      if (this.hasRoom(state, entry)) {
        this.request(entry, next, state, now, out);
        return;
      }
    }
    this.peerState(entry.announcers.keys().next().value as PeerId).waiting.unshift(entry.key);
  }

  /** The item arrived: it is no longer pending anywhere. */
  private forget(entry: Entry, now: number, out: Batch): void {
    this.entries.delete(entry.key);
    for (const p of entry.announcers.keys()) this.peers.get(p)?.announced.delete(entry.key);
    this.release(entry, now, out);
  }
}

/** Collects getdata items per peer, in order. */
class Batch {
  readonly byPeer = new Map<PeerId, InvItem[]>();
  add(peer: PeerId, item: InvItem): void {
    let items = this.byPeer.get(peer);
    if (!items) this.byPeer.set(peer, (items = []));
    items.push(item);
  }
}
