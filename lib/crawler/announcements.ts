import { fromReversedHex, hashKey, invKey } from '../wire/hex.js';
import type { InvItem } from '../wire/messages.js';
import { kindOf } from './inventory-state.js';
import type { BlockHeader, DecodedTx } from '../wire/model.js';
import { PeerSlots, PropagationTracker, type ClosedItem, type IdField, type ItemKind } from './propagation.js';

/**
 * The crawl's side of `--emit propagation`: every announcement each peer makes (inv, headers),
 * handed to the pure PropagationTracker with the peer's slot and network. Transactions are
 * announced by wtxid (peers that sent wtxidrelay: Core) or by txid (the others); once one arrives,
 * its other id is linked to the same open item, so that later announcements by either id count
 * once. Announcements by both ids before delivery (a network of both kinds of peer) stay two
 * items: the line says which id it counted (`txid` or `wtxid`).
 */

/** Items whose other id is remembered at most: the open items, at most. */
const MAX_LINKS = 100_000;

interface PeerEntry {
  readonly slot: number;
  readonly network: string;
}

/** Both ids of a delivered transaction, as reversed hex, for the line. */
export interface TxIds {
  readonly txid: string;
  readonly wtxid: string;
}

export class AnnouncementWatch {
  private readonly tracker: PropagationTracker;
  private readonly slots: PeerSlots;
  private readonly peers = new Map<string, PeerEntry>();
  /** A delivered transaction's other id → the key its item is open under. */
  private readonly links = new Map<string, string>();
  /** Early closes, to be reported with the next due(). */
  private early: ClosedItem[] = [];

  constructor(windowMs: number, maxOpen: number, maxRemembered: number) {
    this.tracker = new PropagationTracker({ windowMs, maxOpen, maxRemembered });
    this.slots = new PeerSlots(windowMs);
  }

  up(peer: string, network: string, now: number): void {
    if (!this.peers.has(peer)) this.peers.set(peer, { slot: this.slots.acquire(now), network });
  }

  down(peer: string, now: number): void {
    const p = this.peers.get(peer);
    if (p === undefined) return;
    this.peers.delete(peer);
    this.slots.release(p.slot, now);
  }

  inv(peer: string, items: readonly InvItem[], now: number): void {
    const p = this.peers.get(peer);
    if (p === undefined) return;
    for (const item of items) {
      const field = fieldOf(item.type);
      if (field !== undefined) this.announce(field, item.hash, invKey(item), peer, p, now);
    }
  }

  headers(peer: string, headers: readonly BlockHeader[], now: number): void {
    const p = this.peers.get(peer);
    if (p === undefined) return;
    for (const h of headers) this.announce('hash', h.hash, hashKey(h.hash), peer, p, now);
  }

  /** A transaction arrived: announcements of its other id go to the item already open. */
  delivered(tx: DecodedTx): void {
    if (tx.txid === tx.wtxid) return;
    const t = hashKey(tx.txid);
    const w = hashKey(tx.wtxid);
    const open = this.tracker.isOpen('tx', w) ? w : this.tracker.isOpen('tx', t) ? t : undefined;
    if (open === undefined) return;
    this.tracker.label('tx', open, tx);
    this.links.set(open === w ? t : w, open);
    if (this.links.size > MAX_LINKS) this.links.delete(this.links.keys().next().value as string);
  }

  /** Items whose window has passed (and any closed early), oldest first. */
  due(now: number): ClosedItem[] {
    const out = this.early.length > 0 ? this.early : [];
    this.early = [];
    for (const c of this.tracker.due(now)) {
      out.push(c);
      if (c.ids !== undefined) this.links.delete(c.field === 'wtxid' ? hashKey(fromReversedHex(c.ids.txid)) : hashKey(fromReversedHex(c.ids.wtxid)));
    }
    return out;
  }

  /** `key`: hashKey(hash), made once per inv item for this watch and the inventory alike (invKey). */
  private announce(field: IdField, hash: Uint8Array, key: string, peer: string, p: PeerEntry, now: number): void {
    const kind: ItemKind = field === 'hash' ? 'block' : 'tx';
    if (kind === 'tx' && this.links.size > 0) key = this.links.get(key) ?? key;
    const early = this.tracker.announce(kind, key, hash, field, peer, p.slot, p.network, now);
    if (early !== undefined) this.early.push(early);
  }
}

/** What an inventory type announces, as the inventory reads it: a transaction by txid or wtxid, a block by hash. */
function fieldOf(type: number): IdField | undefined {
  const kind = kindOf(type);
  return kind === 'block' ? 'hash' : kind;
}
