import { announcedCount, type Entry, type PeerId, type PeerState } from './inventory-state.js';
import { clearBit, popcount, withBit } from './slot-bits.js';

/**
 * The inventory's peers (inventory.ts): each one's state by id and by slot (its bit in the
 * entries' `others` bitmaps, reused once it is dropped), and the entries that have such a bitmap.
 */
export class InventoryPeers {
  private readonly byId = new Map<PeerId, PeerState>();
  /** Peers by slot, and the slots free for reuse. */
  readonly bySlot: Array<PeerState | undefined> = [];
  private readonly freeSlots: number[] = [];
  /** Pending entries that have an `others` bitmap: a dropped peer's bit is cleared in each. */
  private readonly overflowed = new Set<Entry>();

  get(peer: PeerId): PeerState | undefined {
    return this.byId.get(peer);
  }

  /** Its state, made with a free slot the first time. */
  state(peer: PeerId): PeerState {
    let s = this.byId.get(peer);
    if (!s) {
      const slot = this.freeSlots.pop() ?? this.bySlot.length;
      s = { id: peer, slot, txKind: 'txid', gone: false, announced: undefined, txInFlight: 0, blocksInFlight: 0, waiting: undefined };
      this.byId.set(peer, s);
      this.bySlot[slot] = s;
    }
    return s;
  }

  /** It went away: nothing more is asked of it (`gone`), its bits are cleared. Its slot is free once `free` is called (after its requests were handed on). */
  drop(state: PeerState): void {
    state.gone = true;
    this.byId.delete(state.id);
    for (const entry of this.overflowed) clearBit(entry.others, state.slot);
  }

  free(state: PeerState): void {
    this.bySlot[state.slot] = undefined;
    this.freeSlots.push(state.slot);
  }

  /** Sets `slot`'s bit in `entry.others`, sized for every slot in use so it seldom grows. */
  setOther(entry: Entry, slot: number): void {
    if (entry.others === undefined) this.overflowed.add(entry);
    entry.others = withBit(entry.others, slot, this.bySlot.length);
  }

  dropOthers(entry: Entry): void {
    entry.others = undefined;
    this.overflowed.delete(entry);
  }

  /** The items waiting for a free slot at `peer`, in the order they will be asked. O(their number): for tests. */
  waitingAt(peer: PeerId): Uint8Array[] {
    return (this.byId.get(peer)?.waiting?.values() ?? []).map((e) => e.hash);
  }

  /**
   * (peer, item) announcements held: Map entries in items plus Set entries at peers, and the
   * `others` bits set. For tests and the benchmark: O(peers + overflowed items).
   */
  get announcementsHeld(): { readonly remembered: number; readonly bits: number } {
    let remembered = 0;
    for (const p of this.byId.values()) remembered += announcedCount(p);
    let bits = 0;
    for (const e of this.overflowed) for (const w of e.others ?? []) bits += popcount(w);
    return { remembered, bits };
  }
}
