import { hashKey, toHex } from '../wire/hex.js';
import { InvType, type InvItem } from '../wire/messages.js';
import { BoundedSet } from './bounded-set.js';

export type PeerId = string;

/** How an announced item is identified, which decides how it is asked for. */
type ItemKind = 'txid' | 'wtxid' | 'block';

/**
 * Announcers remembered per pending item as ready fallbacks, in announcement order with the id
 * kind each used (and a peer-side record each: its in-flight window and its announcement cap).
 * Every further announcer is only a bit in the item's `others` bitmap, by peer slot: counted,
 * deduplicated and still a fallback, at one bit each, where a Map entry here and a Set entry at the
 * peer cost ~100 bytes (840 pending txs × 10,000 announcers held ~800 MB; BENCHMARKS.md). Core's
 * TxRequestTracker (src/txrequest.cpp) keeps every announcement, bounded per peer by
 * MAX_PEER_TX_ANNOUNCEMENTS (net_processing.cpp); so do we in effect, through the bitmap. 64: a
 * fallback is needed only after a peer failed (notfound, the 60 s GETDATA_TX_INTERVAL, a drop),
 * so 64 ready ones cover an hour of timeouts before the bitmap is read; it also bounds the work of
 * one delivery (one release per remembered announcer, where a tx 10,000 peers announced cost
 * 10,000) and the memory per item (64 × ~100 bytes + peers / 8 bytes).
 */
export const MAX_FALLBACK_ANNOUNCERS = 64;

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
  /** MAX_FALLBACK_ANNOUNCERS (ours, not Core's): announcers remembered per pending item. */
  readonly maxFallbackAnnouncers: number;
}

export const DEFAULT_INVENTORY_LIMITS: InventoryLimits = {
  maxTxInFlightPerPeer: 100,
  maxBlocksInFlightPerPeer: 16,
  maxAnnouncementsPerPeer: 5_000,
  requestTimeoutMs: 60_000,
  // Two ids per transaction (txid and wtxid); 500,000 ids ≈ a full mainnet mempool, ~34 MB as
  // hashKey strings (measured; ~51 MB as hex).
  seenCapacity: 500_000,
  maxFallbackAnnouncers: MAX_FALLBACK_ANNOUNCERS,
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
}

/**
 * One peer's side. Entries and peers refer to each other by object, not by key: a delivered
 * transaction announced by thousands of peers leaves thousands of sets, and at 10,000 peers × 20
 * tx/s string-keyed look-ups there were a third of the crawler's CPU (BENCHMARKS.md).
 */
interface PeerState {
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
  /** Announced entries waiting for a free slot at this peer (FIFO; stale ones are skipped). */
  readonly waiting: Entry[];
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
  /** Peers by slot, and the slots free for reuse. */
  private readonly bySlot: Array<PeerState | undefined> = [];
  private readonly freeSlots: number[] = [];
  /** Pending entries that have an `others` bitmap: a dropped peer's bit is cleared in each. */
  private readonly overflowed = new Set<Entry>();

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
    return p ? p.txInFlight + p.blocksInFlight : 0;
  }

  /** Announced and not delivered yet: a delivery of it would count (asked for or not yet). */
  isPending(hash: Uint8Array): boolean {
    return this.entries.has(hashKey(hash));
  }

  /** Pending and asked of some peer (its getdata may still wait in the outbox). */
  isRequested(hash: Uint8Array): boolean {
    return this.entries.get(hashKey(hash))?.requestedFrom !== undefined;
  }

  /**
   * The getdata to send `peer` again for an item it delivered that we could not take (our output
   * was full): the request stays in flight and keeps its deadline. None unless it was asked of `peer`.
   */
  askAgain(peer: PeerId, hashes: readonly Uint8Array[]): Request[] {
    for (const hash of hashes) {
      const entry = this.entries.get(hashKey(hash));
      const state = entry?.requestedFrom;
      const kind = state && entry.announcers.get(state);
      if (entry && state?.id === peer && kind) return [{ peer, items: [{ type: requestType(kind), hash: entry.hash }] }];
    }
    return [];
  }

  isSeen(hash: Uint8Array): boolean {
    return this.seen.has(hashKey(hash));
  }

  /**
   * At 10,000 peers nearly every item is one already delivered: that path is a key and one Set
   * look-up, and the peer's state is looked up only once some item of the message needs it.
   */
  announce(peer: PeerId, items: readonly InvItem[], now: number): Request[] {
    const out = new Batch();
    let state: PeerState | undefined;
    for (const item of items) {
      const kind = kindOf(item.type);
      if (!kind) continue;
      const key = hashKey(item.hash);
      if (this.seen.has(key)) continue;
      state ??= this.peerState(peer);
      let entry = this.entries.get(key);
      if (entry !== undefined && (entry.announcers.has(state) || hasBit(entry.others, state.slot))) continue;
      if (announcedCount(state) >= this.limits.maxAnnouncementsPerPeer) continue;
      if (!entry) {
        entry = {
          key,
          block: kind === 'block',
          hash: item.hash.slice(),
          announcers: new Map(),
          others: undefined,
          requestedFrom: undefined,
          first: { peer, time: now },
          lastPeer: peer,
          lastTime: now,
          announcedBy: 0,
        };
        this.entries.set(key, entry);
      } else if (entry.block !== (kind === 'block')) continue;
      if (kind !== 'block') state.txKind = kind;
      entry.lastPeer = peer;
      entry.lastTime = now;
      entry.announcedBy++;
      // Past the bound only a peer that can be asked at once is remembered (the one asked, so
      // at most one more than the bound: it leaves when it fails).
      const askNow = entry.requestedFrom === undefined && this.hasRoom(state, entry);
      if (entry.announcers.size >= this.limits.maxFallbackAnnouncers && !askNow) {
        this.setOther(entry, state.slot);
        continue;
      }
      entry.announcers.set(state, kind);
      (state.announced ??= new Set()).add(entry);
      if (askNow) this.request(entry, state, now, out);
      else if (entry.requestedFrom === undefined) state.waiting.push(entry);
    }
    return this.live(out);
  }

  /** A tx (by txid and wtxid) or block (by hash) arrived, from whichever peer. */
  delivered(hashes: readonly Uint8Array[], now: number): Delivery {
    const out = new Batch();
    let fresh = true;
    let announcements: Announcements | undefined;
    const keys = hashes.map(hashKey);
    for (const key of keys) {
      if (this.seen.has(key)) fresh = false;
      const entry = this.entries.get(key);
      if (!entry) continue;
      // Announced by txid and by wtxid (by different peers): the earliest record wins.
      if (!announcements || entry.first.time < announcements.first.time) {
        announcements = { first: entry.first, last: { peer: entry.lastPeer, time: entry.lastTime }, peers: entry.announcedBy };
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
    const state = this.peers.get(peer);
    if (!state) return [];
    for (const item of items) {
      const entry = this.entries.get(hashKey(item.hash));
      if (entry) this.withdraw(entry, state, now, out);
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
    state.gone = true;
    state.waiting.length = 0;
    this.peers.delete(peer);
    for (const entry of this.overflowed) clearBit(entry.others, state.slot);
    // withdraw() deletes each entry from the set being iterated: allowed for a Set.
    if (state.announced) for (const entry of state.announced) this.withdraw(entry, state, now, out);
    this.bySlot[state.slot] = undefined;
    this.freeSlots.push(state.slot);
    return this.live(out);
  }

  /**
   * (peer, item) announcements held: Map entries in items plus Set entries at peers, and the
   * `others` bits set. For tests and the benchmark: O(peers + overflowed items).
   */
  get announcementsHeld(): { readonly remembered: number; readonly bits: number } {
    let remembered = 0;
    for (const p of this.peers.values()) remembered += announcedCount(p);
    let bits = 0;
    for (const e of this.overflowed) for (const w of e.others ?? []) bits += popcount(w);
    return { remembered, bits };
  }

  /**
   * The batch's requests that still stand: one message (a notfound naming several items, say)
   * can free a slot, fill it, then withdraw the very item it was filled with.
   */
  private live(out: Batch): Request[] {
    const requests: Request[] = [];
    for (const [state, asked] of out.byPeer) {
      const standing: InvItem[] = [];
      for (const a of asked) if (a.entry.requestedFrom === state && this.entries.get(a.entry.key) === a.entry) standing.push(a.item);
      if (standing.length > 0) requests.push({ peer: state.id, items: standing });
    }
    return requests;
  }

  private peerState(peer: PeerId): PeerState {
    let s = this.peers.get(peer);
    if (!s) {
      const slot = this.freeSlots.pop() ?? this.bySlot.length;
      s = { id: peer, slot, txKind: 'txid', gone: false, announced: undefined, txInFlight: 0, blocksInFlight: 0, waiting: [] };
      this.peers.set(peer, s);
      this.bySlot[slot] = s;
    }
    return s;
  }

  /** Sets `slot`'s bit in `entry.others`, sized for every slot in use so it seldom grows. */
  private setOther(entry: Entry, slot: number): void {
    const word = slot >>> 5;
    let bits = entry.others;
    if (bits === undefined || word >= bits.length) {
      const grown = new Uint32Array(Math.max(word + 1, (this.bySlot.length + 31) >>> 5));
      if (bits === undefined) this.overflowed.add(entry);
      else grown.set(bits);
      entry.others = bits = grown;
    }
    bits[word] |= 1 << (slot & 31);
  }

  /**
   * Every remembered announcer failed: the next ones come from the bitmap, in slot order (their
   * announcement order was not kept), each asked the way it announces txs.
   */
  private recruit(entry: Entry): void {
    const bits = entry.others;
    if (bits === undefined) return;
    for (let w = 0; w < bits.length && entry.announcers.size < this.limits.maxFallbackAnnouncers; w++) {
      while (bits[w] !== 0 && entry.announcers.size < this.limits.maxFallbackAnnouncers) {
        const bit = 31 - Math.clz32(bits[w] & -bits[w]);
        bits[w] &= ~(1 << bit);
        const state = this.bySlot[w * 32 + bit];
        if (state === undefined || state.gone || announcedCount(state) >= this.limits.maxAnnouncementsPerPeer) continue;
        entry.announcers.set(state, entry.block ? 'block' : state.txKind);
        (state.announced ??= new Set()).add(entry);
      }
    }
    if (bits.every((w) => w === 0)) this.dropOthers(entry);
  }

  private dropOthers(entry: Entry): void {
    entry.others = undefined;
    this.overflowed.delete(entry);
  }

  private hasRoom(state: PeerState, entry: Entry): boolean {
    return entry.block
      ? state.blocksInFlight < this.limits.maxBlocksInFlightPerPeer
      : state.txInFlight < this.limits.maxTxInFlightPerPeer;
  }

  private request(entry: Entry, state: PeerState, now: number, out: Batch): void {
    const kind = entry.announcers.get(state);
    if (kind === undefined) throw new Error(`inventory: ${state.id} never announced ${toHex(entry.hash)}`);
    entry.requestedFrom = state;
    if (entry.block) state.blocksInFlight++;
    else state.txInFlight++;
    this.deadlines.set(entry.key, now + this.limits.requestTimeoutMs);
    out.add(state, entry, { type: requestType(kind), hash: entry.hash });
  }

  /** Ends the request in flight for `entry`, if any, and gives the freed slot to waiting items. */
  private release(entry: Entry, now: number, out: Batch): void {
    const state = entry.requestedFrom;
    if (state === undefined) return;
    entry.requestedFrom = undefined;
    this.deadlines.delete(entry.key);
    if (entry.block) state.blocksInFlight--;
    else state.txInFlight--;
    if (!state.gone) this.refill(state, now, out);
  }

  private refill(state: PeerState, now: number, out: Batch): void {
    while (state.waiting.length > 0) {
      const entry = state.waiting[0];
      if (this.entries.get(entry.key) === entry && entry.requestedFrom === undefined && entry.announcers.has(state)) {
        if (!this.hasRoom(state, entry)) return;
        this.request(entry, state, now, out);
      }
      state.waiting.shift();
    }
  }

  /** `state`'s peer cannot deliver `entry` (notfound, timeout, gone): ask the next announcer. */
  private withdraw(entry: Entry, state: PeerState, now: number, out: Batch): void {
    entry.announcers.delete(state);
    clearBit(entry.others, state.slot);
    unannounce(state, entry);
    if (entry.requestedFrom === state) this.release(entry, now, out);
    if (entry.requestedFrom !== undefined) return;
    if (entry.announcers.size === 0) this.recruit(entry);
    if (entry.announcers.size === 0) {
      this.entries.delete(entry.key);
      this.dropOthers(entry);
      return;
    }
    for (const next of entry.announcers.keys()) {
      if (this.hasRoom(next, entry)) {
        this.request(entry, next, now, out);
        return;
      }
    }
    (entry.announcers.keys().next().value as PeerState).waiting.unshift(entry);
  }

  /** The item arrived: it is no longer pending anywhere. */
  private forget(entry: Entry, now: number, out: Batch): void {
    this.entries.delete(entry.key);
    this.dropOthers(entry);
    for (const p of entry.announcers.keys()) unannounce(p, entry);
    this.release(entry, now, out);
  }
}

function announcedCount(state: PeerState): number {
  return state.announced?.size ?? 0;
}

/** `entry` leaves `state.announced`; an emptied set is let go (see PeerState.announced). */
function unannounce(state: PeerState, entry: Entry): void {
  const set = state.announced;
  if (set !== undefined && set.delete(entry) && set.size === 0) state.announced = undefined;
}

function hasBit(bits: Uint32Array | undefined, slot: number): boolean {
  const word = slot >>> 5;
  return bits !== undefined && word < bits.length && (bits[word] & (1 << (slot & 31))) !== 0;
}

function clearBit(bits: Uint32Array | undefined, slot: number): void {
  const word = slot >>> 5;
  if (bits !== undefined && word < bits.length) bits[word] &= ~(1 << (slot & 31));
}

function popcount(w: number): number {
  let n = 0;
  for (let v = w >>> 0; v !== 0; v &= v - 1) n++;
  return n;
}

/** Collects getdata items per peer, in order. */
class Batch {
  readonly byPeer = new Map<PeerState, Array<{ readonly entry: Entry; readonly item: InvItem }>>();
  add(state: PeerState, entry: Entry, item: InvItem): void {
    let items = this.byPeer.get(state);
    if (!items) this.byPeer.set(state, (items = []));
    items.push({ entry, item });
  }
}
