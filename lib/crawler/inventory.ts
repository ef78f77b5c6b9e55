import { hashKey, invKey, toHex } from '../wire/hex.js';
import type { InvItem } from '../wire/messages.js';
import { BoundedSet } from './bounded-set.js';
import { DEFAULT_INVENTORY_LIMITS, type InventoryLimits } from './inventory-limits.js';
import { announcedCount, Batch, enqueue, hasRoom, kindOf, recruit, requestType, unannounce, unqueue, unqueueAll } from './inventory-state.js';
import type { Announcements, Delivery, Entry, PeerId, PeerState, Request } from './inventory-state.js';
import { clearBit, hasBit, popcount, withBit } from './slot-bits.js';

export { DEFAULT_INVENTORY_LIMITS, MAX_FALLBACK_ANNOUNCERS, type InventoryLimits } from './inventory-limits.js';
export type { Announcements, Delivery, PeerId, Request } from './inventory-state.js';

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
      const key = invKey(item);
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
        this.setOther(entry, state.slot);
        continue;
      }
      entry.announcers.set(state, kind);
      (state.announced ??= new Set()).add(entry);
      if (askNow) this.request(entry, state, now, out);
      else if (entry.requestedFrom === undefined) enqueue(state, entry, false);
    }
    return out.standing(this.entries);
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
    return { fresh, wanted: announcements !== undefined, announcements, requests: out.standing(this.entries) };
  }

  notFound(peer: PeerId, items: readonly InvItem[], now: number): Request[] {
    const out = new Batch();
    const state = this.peers.get(peer);
    if (!state) return [];
    for (const item of items) {
      const entry = this.entries.get(hashKey(item.hash));
      if (entry) this.withdraw(entry, state, now, out);
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

  /** Requests past their deadline go to the next announcer. Call it every second or so. */
  expire(now: number): Request[] {
    const out = new Batch();
    for (const [key, deadline] of this.deadlines) {
      if (deadline > now) break;
      const entry = this.entries.get(key);
      if (entry?.requestedFrom !== undefined) this.withdraw(entry, entry.requestedFrom, now, out);
      else this.deadlines.delete(key);
    }
    return out.standing(this.entries);
  }

  /** A peer went away: its requests go to other announcers, its announcements are forgotten. */
  dropPeer(peer: PeerId, now: number): Request[] {
    const out = new Batch();
    const state = this.peers.get(peer);
    if (!state) return [];
    // Nothing more may be asked of it while its requests are handed on.
    state.gone = true;
    this.peers.delete(peer);
    for (const entry of this.overflowed) clearBit(entry.others, state.slot);
    // withdraw() deletes each entry from the set being iterated (allowed for a Set), and from
    // this peer's queue: that empties it.
    if (state.announced) for (const entry of state.announced) this.withdraw(entry, state, now, out);
    this.bySlot[state.slot] = undefined;
    this.freeSlots.push(state.slot);
    return out.standing(this.entries);
  }

  /** The items waiting for a free slot at `peer`, in the order they will be asked. O(their number): for tests. */
  waitingAt(peer: PeerId): Uint8Array[] {
    return (this.peers.get(peer)?.waiting?.values() ?? []).map((e) => e.hash);
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

  private peerState(peer: PeerId): PeerState {
    let s = this.peers.get(peer);
    if (!s) {
      const slot = this.freeSlots.pop() ?? this.bySlot.length;
      s = { id: peer, slot, txKind: 'txid', gone: false, announced: undefined, txInFlight: 0, blocksInFlight: 0, waiting: undefined };
      this.peers.set(peer, s);
      this.bySlot[slot] = s;
    }
    return s;
  }

  /** Sets `slot`'s bit in `entry.others`, sized for every slot in use so it seldom grows. */
  private setOther(entry: Entry, slot: number): void {
    if (entry.others === undefined) this.overflowed.add(entry);
    entry.others = withBit(entry.others, slot, this.bySlot.length);
  }

  private dropOthers(entry: Entry): void {
    entry.others = undefined;
    this.overflowed.delete(entry);
  }

  private request(entry: Entry, state: PeerState, now: number, out: Batch): void {
    const kind = entry.announcers.get(state);
    if (kind === undefined) throw new Error(`inventory: ${state.id} never announced ${toHex(entry.hash)}`);
    entry.requestedFrom = state;
    unqueueAll(entry);
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
    unqueue(state, entry);
    clearBit(entry.others, state.slot);
    unannounce(state, entry);
    if (entry.requestedFrom === state) this.release(entry, now, out);
    if (entry.requestedFrom !== undefined) return;
    if (entry.announcers.size === 0 && recruit(entry, this.bySlot, this.limits)) this.dropOthers(entry);
    if (entry.announcers.size === 0) {
      this.entries.delete(entry.key);
      this.dropOthers(entry);
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
    this.dropOthers(entry);
    unqueueAll(entry);
    for (const p of entry.announcers.keys()) unannounce(p, entry);
    this.release(entry, now, out);
  }
}
