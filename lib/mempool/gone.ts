import { hashKey } from '../wire/hex.js';

/**
 * Txids of transactions that left the view other than by a block (replaced, conflicting with a
 * block, expired), the most recent GONE_TXIDS_MAX. A transaction spending one of their outputs,
 * arriving after it left, is an orphan to Core: its input is neither a UTXO nor a mempool output,
 * so it waits in the orphanage (net_processing.cpp, "missing-inputs") and never enters the mempool
 * unless that parent comes back. Without this, such a child (a peer that had not yet seen the
 * replacement relayed it) stayed in the view until it expired, two weeks later.
 *
 * A ring of txids and a Map from each to its place, and in front of the Map a bitmap of 2^18
 * bits (32 KB, small enough to stay cached beside the view's lines) indexed by 18 bits of the
 * txid, so that the common lookup (a parent that never left) is one bit read, not a string made
 * and hashed. A bit is set per txid added and the bitmap rebuilt from the ring every `max` adds,
 * so at most 2 × `max` bits are set: with 16,384 txids, one lookup in 8 at most goes on to the Map.
 * (A counting filter of two 128 KB arrays did less well: its random reads missed the caches,
 * ~0.2 µs an add, `npm run bench:mempool`.) The bits are at a fixed place in the txid: a peer that
 * grinds txids to hit them costs a Map lookup an input, no more.
 */
export const GONE_TXIDS_MAX = 16_384;

/** The bitmap's bit for the txid at `b[at..]`: 18 bits of bytes 7-9. */
const bit = (b: Uint8Array, at: number): number => b[at + 7] | (b[at + 8] << 8) | ((b[at + 9] & 3) << 16);

export class GoneTxids {
  private ring = new Uint8Array(0);
  /** One bit per txid added since the last rebuild or in the ring then: 2^18 bits. */
  private readonly bits = new Int32Array(1 << 13);
  private sinceRebuild = 0;
  private readonly place = new Map<string, number>();
  private next = 0;

  constructor(readonly max: number = GONE_TXIDS_MAX) {
    if (max < 1) throw new RangeError(`GoneTxids: max ${max}`);
  }

  get size(): number {
    return Math.min(this.next, this.max);
  }

  /** The txid at `b[at..at+32]` left the view. */
  add(b: Uint8Array, at: number): void {
    if (this.ring.length === 0) this.ring = new Uint8Array(this.max * 32);
    const pos = this.next % this.max;
    const o = pos * 32;
    if (this.next >= this.max) {
      const old = hashKey(this.ring.subarray(o, o + 32));
      // The same txid may have left twice: only its latest place counts.
      if (this.place.get(old) === pos) this.place.delete(old);
    }
    this.ring.set(b.subarray(at, at + 32), o);
    this.place.set(hashKey(this.ring.subarray(o, o + 32)), pos);
    this.next++;
    if (++this.sinceRebuild >= this.max) this.rebuild();
    else this.setBit(bit(b, at));
  }

  private setBit(i: number): void {
    this.bits[i >>> 5] |= 1 << (i & 31);
  }

  /** The bits of the txids the Map holds, and no others. */
  private rebuild(): void {
    this.bits.fill(0);
    for (const p of this.place.values()) this.setBit(bit(this.ring, p * 32));
    this.sinceRebuild = 0;
  }

  /** The txid at `b[at..at+32]` was confirmed after all: its outputs exist, its children are no orphans. */
  forget(b: Uint8Array, at: number): void {
    if (this.has(b, at)) this.place.delete(hashKey(b.subarray(at, at + 32)));
  }

  /** Whether the txid at `b[at..at+32]` is among those that left. */
  has(b: Uint8Array, at: number): boolean {
    const i = bit(b, at);
    return (this.bits[i >>> 5] & (1 << (i & 31))) !== 0 && this.place.has(hashKey(b.subarray(at, at + 32)));
  }
}
