import { hashKey } from '../wire/hex.js';

/**
 * Txids of transactions that left the view other than by a block (replaced, conflicting with a
 * block, expired), the most recent GONE_TXIDS_MAX. A transaction spending one of their outputs,
 * arriving after it left, is an orphan to Core: its input is neither a UTXO nor a mempool output,
 * so it waits in the orphanage (net_processing.cpp, "missing-inputs") and never enters the mempool
 * unless that parent comes back. Without this, such a child (a peer that had not yet seen the
 * replacement relayed it) stayed in the view until it expired, two weeks later.
 *
 * A ring of txids, a Map from each to its place, and in front of the Map a counting filter (two
 * arrays of 2^16 counters, each indexed by two bytes of the txid), so that the common lookup (a
 * parent that never left) reads two counters, not a string made and hashed: with 16,384 txids in
 * the ring, ~5% of them find both non-zero and ask the Map. The filter's bytes are at a fixed place:
 * a peer that grinds txids to hit it costs a Map lookup an input, no more.
 */
export const GONE_TXIDS_MAX = 16_384;

const FILTER_BITS = 16;
const first = (b: Uint8Array, at: number): number => b[at + 7] | (b[at + 8] << 8);
const second = (b: Uint8Array, at: number): number => b[at + 9] | (b[at + 10] << 8);

export class GoneTxids {
  private ring = new Uint8Array(0);
  /** Per filter bucket, the txids in the ring that fall in it (at most `max`, below 2^16), by either index. */
  private readonly counts1 = new Uint16Array(1 << FILTER_BITS);
  private readonly counts2 = new Uint16Array(1 << FILTER_BITS);
  private readonly place = new Map<string, number>();
  private next = 0;

  constructor(readonly max: number = GONE_TXIDS_MAX) {
    if (max < 1 || max >= 1 << 16) throw new RangeError(`GoneTxids: max ${max}`);
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
      this.counts1[first(this.ring, o)]--;
      this.counts2[second(this.ring, o)]--;
      const old = hashKey(this.ring.subarray(o, o + 32));
      // The same txid may have left twice: only its latest place counts.
      if (this.place.get(old) === pos) this.place.delete(old);
    }
    this.ring.set(b.subarray(at, at + 32), o);
    this.counts1[first(b, at)]++;
    this.counts2[second(b, at)]++;
    this.place.set(hashKey(this.ring.subarray(o, o + 32)), pos);
    this.next++;
  }

  /** The txid at `b[at..at+32]` was confirmed after all: its outputs exist, its children are no orphans. */
  forget(b: Uint8Array, at: number): void {
    if (this.has(b, at)) this.place.delete(hashKey(b.subarray(at, at + 32)));
  }

  /** Whether the txid at `b[at..at+32]` is among those that left. */
  has(b: Uint8Array, at: number): boolean {
    return this.counts1[first(b, at)] !== 0 && this.counts2[second(b, at)] !== 0 && this.place.has(hashKey(b.subarray(at, at + 32)));
  }
}
