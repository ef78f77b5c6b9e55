import { hashKey, invKey, toHex } from '../wire/hex.js';
import { InvType, type InvItem } from '../wire/messages.js';
import { BoundedSet } from './bounded-set.js';
import { DEFAULT_INVENTORY_LIMITS, type InventoryLimits } from './inventory-limits.js';
import { announcedCount, Batch, enqueue, hasRoom, kindOf, recruit, requestType, unannounce, unqueue, unqueueAll } from './inventory-state.js';
import type { Announcements, Delivery, Entry, PeerId, PeerState, Request } from './inventory-state.js';
import { clearBit, hasBit } from './slot-bits.js';
import { InventoryPeers } from './inventory-peers.js';

export { DEFAULT_INVENTORY_LIMITS, MAX_FALLBACK_ANNOUNCERS, type InventoryLimits } from './inventory-limits.js';
export type { Announcements, Delivery, PeerId, Request } from './inventory-state.js';

/**
 * Announcements in, getdata requests out. Pure: no sockets, no timers; the caller passes the
 * time and sends the requests. Each item is asked of one peer at a time; the other announcers
 * are remembered and asked next if that peer says `notfound`, times out or goes away.
 */
export class Inventory {
  private readonly entries = new Map<string, Entry>();
  /** Its peers (for tests: what waits at each, the announcements held). */
  readonly peers = new InventoryPeers();
  /** key → deadline; insertion order is deadline order because the timeout is constant. */
  private readonly deadlines = new Map<string, number>();
  private readonly seen: BoundedSet<string>;
  /** Blocks asked of some peer (Core's mapBlocksInFlight). */
  private blocksRequested = 0;

  constructor(readonly limits: InventoryLimits = DEFAULT_INVENTORY_LIMITS) {
    this.seen = new BoundedSet(limits.seenCapacity);
  }

  get pending(): number {
    return this.entries.size;
  }

  get inFlight(): number {
    return this.deadlines.size;
  }

  /** Blocks asked of some peer and not delivered yet. */
  get blocksInFlight(): number {
    return this.blocksRequested;
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
   * `compact`: its blocks are to be asked of `peer` as compact blocks (the header sync's choice,
   * fetcher.ts fetchBlocks; a peer's inv never says so).
   */
  announce(peer: PeerId, items: readonly InvItem[], now: number, compact = false): Request[] {
    const out = new Batch();
    let state: PeerState | undefined;
    for (const item of items) {
      const kind = kindOf(item.type);
      if (!kind) continue;
      const key = invKey(item);
      if (this.seen.has(key)) continue;
      state ??= this.peers.state(peer);
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
          compact: undefined,
          waits: undefined,
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
      const askNow = entry.requestedFrom === undefined && hasRoom(this.limits, state, entry);
      if (entry.announcers.size >= this.limits.maxFallbackAnnouncers && !askNow) {
        this.peers.setOther(entry, state.slot);
        continue;
      }
      entry.announcers.set(state, kind);
      (state.announced ??= new Set()).add(entry);
      if (compact && entry.block) (entry.compact ??= new Set()).add(state);
      if (askNow) this.request(entry, state, now, out);
      else if (entry.requestedFrom === undefined) enqueue(state, entry, false);
    }
    return out.standing(this.entries);
  }

  /** A tx (by txid and wtxid) or block (by hash) arrived, from whichever peer; `obtained`: by other means (a block rebuilt from a compact one), asked for or not. */
  delivered(hashes: readonly Uint8Array[], now: number, obtained = false): Delivery {
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
    if (announcements || obtained) for (const key of keys) this.seen.add(key);
    return { fresh, wanted: announcements !== undefined, announcements, requests: out.standing(this.entries) };
  }

  notFound(peer: PeerId, items: readonly InvItem[], now: number): Request[] {
    const out = new Batch();
    const state = this.peers.get(peer);
    if (!state) return [];
    for (const item of items) {
      const entry = this.entries.get(hashKey(item.hash));
      // A compact block it cannot serve (not Core's way, but a peer's): the whole block, as for expire().
      if (entry?.requestedFrom === state && entry.compact?.delete(state)) this.askWhole(entry, state, now, out);
      else if (entry) this.withdraw(entry, state, now, out);
    }
    return out.standing(this.entries);
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

  /**
   * Requests past their deadline go to the next announcer; a compact block that did not come is
   * asked of the same peer whole first (a peer may offer BIP 152 and not serve MSG_CMPCT_BLOCK).
   * Call it every second or so.
   */
  expire(now: number): Request[] {
    const out = new Batch();
    for (const [key, deadline] of this.deadlines) {
      if (deadline > now) break;
      const entry = this.entries.get(key);
      const from = entry?.requestedFrom;
      if (entry === undefined || from === undefined) this.deadlines.delete(key);
      else if (entry.compact?.delete(from)) this.askWhole(entry, from, now, out);
      else this.withdraw(entry, from, now, out);
    }
    return out.standing(this.entries);
  }

  /**
   * The compact block `peer` sent could not be rebuilt (BIP 152's fallback: a short id collision,
   * a block that did not check out): the whole block from the same peer, as Core asks for it after
   * READ_STATUS_FAILED (net_processing.cpp, cmpctblock). Announced by `peer` if it was not.
   */
  wholeBlock(peer: PeerId, hash: Uint8Array, now: number): Request[] {
    const entry = this.entries.get(hashKey(hash));
    const state = this.peers.get(peer);
    if (entry === undefined || state === undefined || !entry.announcers.has(state)) return this.announce(peer, [{ type: InvType.WITNESS_BLOCK, hash }], now);
    const out = new Batch();
    if (entry.compact?.delete(state) && entry.requestedFrom === state) this.askWhole(entry, state, now, out);
    return out.standing(this.entries);
  }

  /** A peer went away: its requests go to other announcers, its announcements are forgotten. */
  dropPeer(peer: PeerId, now: number): Request[] {
    const out = new Batch();
    const state = this.peers.get(peer);
    if (!state) return [];
    // Nothing more may be asked of it while its requests are handed on.
    this.peers.drop(state);
    // withdraw() deletes each entry from the set being iterated (allowed for a Set), and from
    // this peer's queue: that empties it.
    if (state.announced) for (const entry of state.announced) this.withdraw(entry, state, now, out);
    this.peers.free(state);
    return out.standing(this.entries);
  }

  private request(entry: Entry, state: PeerState, now: number, out: Batch): void {
    const kind = entry.announcers.get(state);
    if (kind === undefined) throw new Error(`inventory: ${state.id} never announced ${toHex(entry.hash)}`);
    entry.requestedFrom = state;
    unqueueAll(entry);
    if (entry.block) {
      state.blocksInFlight++;
      this.blocksRequested++;
    } else state.txInFlight++;
    this.deadlines.set(entry.key, now + this.limits.requestTimeoutMs);
    out.add(state, entry, { type: entry.compact?.has(state) ? InvType.CMPCT_BLOCK : requestType(kind), hash: entry.hash });
  }

  /** The block asked of `state` as a compact one, asked again whole, with a deadline of its own (last in the deadlines' order). */
  private askWhole(entry: Entry, state: PeerState, now: number, out: Batch): void {
    this.deadlines.delete(entry.key);
    this.deadlines.set(entry.key, now + this.limits.requestTimeoutMs);
    out.add(state, entry, { type: requestType('block'), hash: entry.hash });
  }

  /** Ends the request in flight for `entry`, if any, and gives the freed slot to waiting items. */
  private release(entry: Entry, now: number, out: Batch): void {
    const state = entry.requestedFrom;
    if (state === undefined) return;
    entry.requestedFrom = undefined;
    this.deadlines.delete(entry.key);
    if (entry.block) {
      state.blocksInFlight--;
      this.blocksRequested--;
    } else state.txInFlight--;
    if (!state.gone) this.refill(state, now, out);
  }

  /** Asks `state` for what waits at it while it has room: each step is a request (no stale entry to skip). */
  private refill(state: PeerState, now: number, out: Batch): void {
    for (let entry = state.waiting?.first; entry !== undefined; entry = state.waiting?.first) {
      if (!hasRoom(this.limits, state, entry)) return;
      this.request(entry, state, now, out); // takes it out of this queue and every other
    }
  }

  /** `state`'s peer cannot deliver `entry` (notfound, timeout, gone): ask the next announcer. */
  private withdraw(entry: Entry, state: PeerState, now: number, out: Batch): void {
    entry.announcers.delete(state);
    entry.compact?.delete(state);
    unqueue(state, entry);
    clearBit(entry.others, state.slot);
    unannounce(state, entry);
    if (entry.requestedFrom === state) this.release(entry, now, out);
    if (entry.requestedFrom !== undefined) return;
    if (entry.announcers.size === 0 && recruit(entry, this.peers.bySlot, this.limits)) this.peers.dropOthers(entry);
    if (entry.announcers.size === 0) {
      this.entries.delete(entry.key);
      this.peers.dropOthers(entry);
      return;
    }
    for (const next of entry.announcers.keys()) {
      if (hasRoom(this.limits, next, entry)) {
        this.request(entry, next, now, out);
        return;
      }
    }
    enqueue(entry.announcers.keys().next().value as PeerState, entry, true);
  }

  /** The item arrived: it is no longer pending anywhere. */
  private forget(entry: Entry, now: number, out: Batch): void {
    this.entries.delete(entry.key);
    this.peers.dropOthers(entry);
    unqueueAll(entry);
    for (const p of entry.announcers.keys()) unannounce(p, entry);
    this.release(entry, now, out);
  }
}
