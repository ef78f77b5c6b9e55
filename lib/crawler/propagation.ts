import { toReversedHex } from '../wire/hex.js';
import type { DecodedTx } from '../wire/model.js';
import type { PropagationItem } from '../output/lines.js';
import { DelayHistogram, bucketOf } from './delay-histogram.js';
import { BoundedSet } from './bounded-set.js';

/**
 * Who announced each transaction and block, and when, over one window after its first
 * announcement: the crawler's `propagation` lines (`--emit propagation`). Pure: times are passed
 * in, nothing here reads a clock or a socket.
 *
 * Every announcement counts (by inv, headers or cmpctblock), also after the item arrived: that is
 * the difference from a tx line's `seen`, which stops at delivery. A peer counts once per item
 * (its slot's bit in the item's bitset). Memory is bounded by what is open, not by the peers:
 * each open item is a bitset of peer slots (a bit a slot) and one DelayHistogram per network seen
 * (1,172 bytes at a 30 s window), so MAX_OPEN_ITEMS bound it; past that the oldest item is closed
 * early and its line says so.
 */

export type ItemKind = PropagationItem['kind'];
/** How the item was first announced: a transaction by its txid or its wtxid, a block by its hash. */
export type IdField = PropagationItem['field'];

/** Open items at most: 20 tx/s × 30 s is 600; 100,000 leaves room for bursts and long windows. */
export const MAX_OPEN_ITEMS = 100_000;
/** Closed items remembered, so that a late announcement does not open the item again (a few hours of the network's transactions). */
export const MAX_CLOSED_REMEMBERED = 200_000;

export interface TrackerLimits {
  /** How long after its first announcement an item is closed and reported (`--window`). */
  readonly windowMs: number;
  readonly maxOpen: number;
  readonly maxRemembered: number;
}

interface Open {
  readonly kind: ItemKind;
  readonly id: string;
  /** The announced hash, reversed hex, and which id it is. */
  readonly name: string;
  readonly field: IdField;
  /** Both ids, once the transaction arrived. */
  ids?: { readonly txid: string; readonly wtxid: string };
  readonly firstPeer: string;
  readonly firstTime: number;
  readonly deadline: number;
  /** Peer slots that announced it: bit s of byte s >> 3. Grown to the largest slot seen. */
  slots: Uint8Array;
  readonly all: DelayHistogram;
  /** One histogram per network seen, in the order first seen. */
  readonly networks: Map<string, DelayHistogram>;
  /** The network of the last announcement counted, and its histogram: most come from one network in a row. */
  lastNetwork: string | undefined;
  lastHistogram: DelayHistogram | undefined;
}

/** What a closed item reports (the line is made from it in lib/output/lines.ts), and the key it was open under. */
export interface ClosedItem extends PropagationItem {
  readonly key: string;
}

export class PropagationTracker {
  private readonly open = new Map<string, Open>();
  private readonly closed: BoundedSet<string>;

  constructor(private readonly limits: TrackerLimits) {
    this.closed = new BoundedSet(limits.maxRemembered);
  }

  get openItems(): number {
    return this.open.size;
  }

  /**
   * `peer` (its name for the line, and `slot`, a small number no other connected peer has, see
   * PeerSlots) announced the item at `time`. Returns an item closed early to make room, if any.
   */
  announce(kind: ItemKind, id: string, hash: Uint8Array, field: IdField, peer: string, slot: number, network: string, time: number): ClosedItem | undefined {
    const key = keyOf(kind, id);
    let item = this.open.get(key);
    let early: ClosedItem | undefined;
    if (item === undefined) {
      if (this.closed.has(key)) return undefined;
      if (this.open.size >= this.limits.maxOpen) early = this.closeOldest();
      item = {
        kind,
        id,
        name: toReversedHex(hash),
        field,
        firstPeer: peer,
        firstTime: time,
        deadline: time + this.limits.windowMs,
        slots: new Uint8Array(8),
        all: new DelayHistogram(this.limits.windowMs),
        networks: new Map(),
        lastNetwork: undefined,
        lastHistogram: undefined,
      };
      this.open.set(key, item);
    } else if (time > item.deadline) {
      return undefined; // past its window: not counted, and reported by the next due()
    }
    const byte = slot >> 3;
    if (byte >= item.slots.length) {
      const grown = new Uint8Array(Math.max(byte + 1, item.slots.length * 2));
      grown.set(item.slots);
      item.slots = grown;
    }
    const bit = 1 << (slot & 7);
    if ((item.slots[byte] & bit) !== 0) return early;
    item.slots[byte] |= bit;
    // One bucket for both histograms (one logarithm); the network's histogram from the last announcement's when the same.
    const v = item.all.clamp(time - item.firstTime);
    const bucket = bucketOf(v);
    item.all.addIn(bucket, v);
    let net = item.lastNetwork === network ? item.lastHistogram : item.networks.get(network);
    if (net === undefined) item.networks.set(network, (net = new DelayHistogram(this.limits.windowMs)));
    item.lastNetwork = network;
    item.lastHistogram = net;
    net.addIn(bucket, v);
    return early;
  }

  isOpen(kind: ItemKind, id: string): boolean {
    return this.open.has(keyOf(kind, id));
  }

  /** Both ids of an open transaction, for its line. */
  label(kind: ItemKind, id: string, tx: DecodedTx): void {
    const item = this.open.get(keyOf(kind, id));
    if (item !== undefined) item.ids = { txid: toReversedHex(tx.txid), wtxid: toReversedHex(tx.wtxid) };
  }

  /** The items whose window has passed at `now`, oldest first, closed and forgotten. */
  due(now: number): ClosedItem[] {
    const out: ClosedItem[] = [];
    // Map order is insertion order, and deadlines grow with it: stop at the first still open.
    for (const [key, item] of this.open) {
      if (item.deadline > now) break;
      out.push(this.close(key, item, false));
    }
    return out;
  }

  /** Every open item, closed now (at exit). */
  drain(): ClosedItem[] {
    return [...this.open].map(([key, item]) => this.close(key, item, true));
  }

  private closeOldest(): ClosedItem {
    const [key, item] = this.open.entries().next().value as [string, Open];
    return this.close(key, item, true);
  }

  private close(key: string, item: Open, early: boolean): ClosedItem {
    this.open.delete(key);
    this.closed.add(key);
    const h = item.all;
    const p = (q: number): number => h.percentile(q) ?? 0;
    const byNetwork = new Map<string, { announcers: number; p50: number }>();
    for (const [net, nh] of item.networks) byNetwork.set(net, { announcers: nh.count, p50: nh.percentile(50) ?? 0 });
    return {
      kind: item.kind,
      key: item.id,
      name: item.name,
      field: item.field,
      ids: item.ids,
      first: { peer: item.firstPeer, time: item.firstTime },
      announcers: h.count,
      delays: { p10: p(10), p25: p(25), p50: p(50), p75: p(75), p90: p(90), max: h.max },
      byNetwork,
      early,
    };
  }
}

const keyOf = (kind: ItemKind, id: string): string => (kind === 'tx' ? id : `b${id}`);

/**
 * Small numbers for connected peers, for the trackers' bitsets: a released slot is handed out
 * again only after `quietMs` (the window), so that no open item can count a new peer as the old.
 */
export class PeerSlots {
  private next = 0;
  private readonly released: { readonly slot: number; readonly at: number }[] = [];
  private head = 0;

  constructor(private readonly quietMs: number) {}

  acquire(now: number): number {
    if (this.head < this.released.length && this.released[this.head].at + this.quietMs <= now) {
      const { slot } = this.released[this.head++];
      if (this.head > 1024 && this.head * 2 > this.released.length) {
        this.released.splice(0, this.head);
        this.head = 0;
      }
      return slot;
    }
    return this.next++;
  }

  release(slot: number, now: number): void {
    this.released.push({ slot, at: now });
  }
}
