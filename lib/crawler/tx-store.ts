import type { DecodedTx } from '../wire/model.js';

/**
 * The recent transactions a compact block is rebuilt from. Core looks each short id up in its
 * mempool and in vExtraTxnForCompact (net_processing.cpp, `-blockreconstructionextratxn`,
 * DEFAULT_BLOCK_RECONSTRUCTION_EXTRA_TXN = 100: a ring, the oldest overwritten, confirmed ones
 * never taken out); a crawler has no mempool of its own, so it keeps what its peers delivered in
 * a ring of MAX_TX_STORE_BYTES. 32 MiB of serialized transactions: ~100,000 of mainnet's, hours
 * of its traffic, far more than sits unconfirmed between two blocks.
 */
export const MAX_TX_STORE_BYTES = 32 * 1024 * 1024;
/** Bytes before each entry's transaction: its length (u32 LE), then its wtxid (internal byte order). */
const ENTRY_HEADER_BYTES = 4 + 32;
/** A length that says "the rest of the ring is unused: the next entry is at its start". */
const WRAP = 0xffff_ffff;

/**
 * Transactions in arrival order, in one byte ring: `[length u32][wtxid 32][transaction]` each, the
 * oldest overwritten as new ones come. No object and no map entry per transaction (each delivered
 * transaction passes through here, so a fresh ArrayBuffer and a map entry apiece cost one peer's
 * top throughput ~10%: bench:pipeline), and the bound is exact in bytes. Confirmed transactions
 * are not taken out (as Core's ring): they age out, and a block is never rebuilt from them (their
 * short ids would have to collide with the new block's, and a collision is asked for anyway).
 * A transaction delivered twice is kept twice; CompactState tells a duplicate from a collision by
 * its wtxid. The ring's pages are touched only as it fills.
 */
export class TxStore {
  private ring: Uint8Array | undefined;
  private view: DataView | undefined;
  /** Offset of the oldest entry, and where the next one goes. */
  private head = 0;
  private tail = 0;
  private count = 0;
  private used = 0;

  constructor(private readonly maxBytes = MAX_TX_STORE_BYTES) {}

  /** Entries held. */
  get size(): number {
    return this.count;
  }

  /** Bytes of the ring in use (entries with their headers). */
  get bytes(): number {
    return this.used;
  }

  add(tx: DecodedTx): void {
    const need = TxStore.entrySize(tx.raw.length);
    // A transaction larger than the whole ring (none relayed is: 400,000 weight units at most) is not kept.
    if (need > this.maxBytes - 4) return;
    const ring = (this.ring ??= new Uint8Array(this.maxBytes));
    const dv = (this.view ??= new DataView(ring.buffer));
    // Not enough room before the end: mark the rest unused, and go on from the start.
    if (this.tail + need > ring.length) {
      while (this.count > 0 && this.head >= this.tail) this.evict();
      if (ring.length - this.tail >= 4) dv.setUint32(this.tail, WRAP, true);
      this.tail = 0;
    }
    // Make room: the oldest leave until the new entry fits before the head.
    while (this.count > 0 && this.head >= this.tail && this.head < this.tail + need) this.evict();
    dv.setUint32(this.tail, tx.raw.length, true);
    ring.set(tx.wtxid, this.tail + 4);
    ring.set(tx.raw, this.tail + ENTRY_HEADER_BYTES);
    if (this.count === 0) this.head = this.tail;
    this.tail += need;
    this.count++;
    this.used += need;
  }

  /** Calls `visit(ring, at)` with each entry's offset (its wtxid at `at + 4`), oldest first, until it returns false. */
  scan(visit: (ring: Uint8Array, at: number) => boolean): void {
    const ring = this.ring;
    const dv = this.view;
    if (ring === undefined || dv === undefined) return;
    let at = this.head;
    for (let i = 0; i < this.count; i++) {
      if (!visit(ring, at)) return;
      at = this.next(at + ENTRY_HEADER_BYTES + dv.getUint32(at, true));
    }
  }

  /** The ring bytes an entry for a transaction of `txBytes` takes (its header, then the transaction). */
  static entrySize(txBytes: number): number {
    return ENTRY_HEADER_BYTES + txBytes;
  }

  /** The bytes of the entry at `at` of `ring`: its header (length, wtxid) and its transaction. */
  static entryBytes(ring: Uint8Array, at: number): number {
    return ENTRY_HEADER_BYTES + ((ring[at] | (ring[at + 1] << 8) | (ring[at + 2] << 16) | (ring[at + 3] << 24)) >>> 0);
  }

  /** The wtxid's offset of the entry at `at`. */
  static wtxidAt(at: number): number {
    return at + 4;
  }

  /** A copy of the transaction of the entry at `at` (the ring's bytes are overwritten later). */
  raw(at: number): Uint8Array {
    const ring = this.ring;
    if (ring === undefined || this.view === undefined) throw new RangeError('TxStore.raw on an empty store');
    const len = this.view.getUint32(at, true);
    return ring.slice(at + ENTRY_HEADER_BYTES, at + ENTRY_HEADER_BYTES + len);
  }

  /** The oldest entry leaves. */
  private evict(): void {
    const dv = this.view;
    if (dv === undefined) return;
    const need = ENTRY_HEADER_BYTES + dv.getUint32(this.head, true);
    this.used -= need;
    if (--this.count === 0) this.head = this.tail = 0;
    else this.head = this.next(this.head + need);
  }

  /** Where the entry after one ending at `end` starts: there, or at 0 past a wrap. */
  private next(end: number): number {
    const dv = this.view;
    if (dv === undefined) return 0;
    return dv.byteLength - end < 4 || dv.getUint32(end, true) === WRAP ? 0 : end;
  }
}
