import { randomInt } from 'node:crypto';

/**
 * How long a printed transaction is remembered: Core's mempool expiry
 * (DEFAULT_MEMPOOL_EXPIRY_HOURS, kernel/mempool_options.h: 336 h). Until then a node may still
 * relay it, so until then it must not be printed again.
 */
export const TXID_HISTORY_MS = 336 * 3_600_000;
/** The open (still growing) chunk is frozen after this long… */
export const OPEN_CHUNK_MS = 3_600_000;
/** …or at this many txids, whichever comes first. */
export const OPEN_CHUNK_MAX = 65_536;
/** Frozen chunks merged into one once there are this many (a day's worth of hours). */
export const MERGE_CHUNKS = 24;
/**
 * Txids remembered at most: two weeks at 1,000,000 transactions a day, with room; 8 bytes each
 * (128 MB). Past it (a rate above the one we plan for, or a peer feeding made-up transactions) the
 * oldest chunk goes first.
 */
export const TXID_HISTORY_MAX = 16_000_000;
/** Bytes of the txid a fingerprint is read from. */
const FINGERPRINT_BYTES = 8;
/** Slots of the open chunk's hash table: twice its capacity, so probes stay short. */
const OPEN_SLOTS = OPEN_CHUNK_MAX * 2;
/** Frozen chunks are indexed by the fingerprint's top 12 bits. */
const INDEX_BITS = 12;
const INDEX_BUCKETS = 1 << INDEX_BITS;
/**
 * A one-bit-per-slot presence filter over every fingerprint held (16 MB): with 14 million held,
 * 90% of the txids not held are told so without searching a chunk. Rebuilt when a chunk goes.
 */
const FILTER_BITS = 1 << 27;

/**
 * A frozen chunk: fingerprints sorted as u64, read as (lo, hi) u32 pairs so that lookups compare
 * numbers, not BigInts, with the start of each top-16-bit bucket.
 */
interface Chunk {
  readonly pairs: Uint32Array;
  readonly index: Uint32Array;
  /** The time of the newest txid in it: the chunk expires TXID_HISTORY_MS after. */
  readonly newest: number;
  /** A merge of MERGE_CHUNKS frozen chunks (never merged again). */
  readonly merged: boolean;
}

/**
 * Every txid printed in the last two weeks, as 64-bit fingerprints: pure (the caller passes the
 * time) and bounded by TXID_HISTORY_MAX × 8 bytes, a 16 MB filter and 16 kB of index per chunk.
 *
 * Why fingerprints: an exact set of 14 million 256-bit ids needs at least ~410 MB (the
 * information-theoretic bound), more than the 150 MB allowed. A 64-bit fingerprint takes a new
 * transaction for a printed one with probability n / 2^64 (7.6e-13 at n = 14 million): about once
 * in 90,000 years of 1,000,000 new transactions a day. The 8 bytes are read at an offset drawn at
 * random per process, so a peer cannot grind a transaction to collide with one it wants hidden.
 *
 * Layout: txids go into an open hash table; after an hour (or 65,536 txids) it is frozen into a
 * sorted array, 24 frozen chunks are merged into one, and a chunk is dropped once its newest
 * txid is two weeks old (a merged one, a day after its oldest). A lookup tests the filter, then
 * probes the open table and one index bucket per chunk (≤ 24 + 15 chunks).
 */
export class TxidHistory {
  private readonly offset: number;
  private readonly openPairs = new Uint32Array(OPEN_SLOTS * 2);
  private readonly openUsed = new Uint8Array(OPEN_SLOTS);
  private openCount = 0;
  private openSince: number | undefined;
  private openNewest = 0;
  /** Oldest first. */
  private chunks: Chunk[] = [];
  private frozenCount = 0;
  private readonly filter = new Uint32Array(FILTER_BITS / 32);

  constructor(offset = randomInt(0, 32 - FINGERPRINT_BYTES + 1)) {
    this.offset = offset;
  }

  get size(): number {
    return this.frozenCount + this.openCount;
  }

  has(txid: Uint8Array, now: number): boolean {
    this.expire(now);
    const lo = this.word(txid, 0);
    const hi = this.word(txid, 4);
    if (!this.filtered(hi)) return false;
    if (this.openSlot(lo, hi) < 0) return true;
    for (const c of this.chunks) if (chunkHas(c, lo, hi)) return true;
    return false;
  }

  /** Remembers `txid`; false if it was remembered already (then nothing changes). */
  add(txid: Uint8Array, now: number): boolean {
    if (this.has(txid, now)) return false;
    const lo = this.word(txid, 0);
    const hi = this.word(txid, 4);
    const slot = this.openSlot(lo, hi);
    this.openUsed[slot] = 1;
    this.openPairs[2 * slot] = lo;
    this.openPairs[2 * slot + 1] = hi;
    this.openCount++;
    this.setFilter(hi);
    this.openSince ??= now;
    this.openNewest = Math.max(this.openNewest, now);
    if (this.openCount >= OPEN_CHUNK_MAX) this.freeze();
    return true;
  }

  private filtered(hi: number): boolean {
    const bit = hi & (FILTER_BITS - 1);
    return (this.filter[bit >>> 5] & (1 << (bit & 31))) !== 0;
  }

  private setFilter(hi: number): void {
    const bit = hi & (FILTER_BITS - 1);
    this.filter[bit >>> 5] |= 1 << (bit & 31);
  }

  /** After a chunk went: the filter again of exactly what is held. */
  private rebuildFilter(): void {
    this.filter.fill(0);
    for (const c of this.chunks) for (let i = 1; i < c.pairs.length; i += 2) this.setFilter(c.pairs[i]);
    for (let slot = 0; slot < OPEN_SLOTS; slot++) if (this.openUsed[slot]) this.setFilter(this.openPairs[2 * slot + 1]);
  }

  private word(txid: Uint8Array, at: number): number {
    const i = this.offset + at;
    return (txid[i] | (txid[i + 1] << 8) | (txid[i + 2] << 16) | (txid[i + 3] << 24)) >>> 0;
  }

  /** -1 when the open table holds (lo, hi), else the empty slot it would take. */
  private openSlot(lo: number, hi: number): number {
    // Linear probing from a slot the low word picks (the fingerprint is uniform already).
    for (let slot = lo & (OPEN_SLOTS - 1); ; slot = (slot + 1) & (OPEN_SLOTS - 1)) {
      if (!this.openUsed[slot]) return slot;
      if (this.openPairs[2 * slot] === lo && this.openPairs[2 * slot + 1] === hi) return -1;
    }
  }

  private freeze(): void {
    const sorted = new BigUint64Array(this.openCount);
    const pairs = new Uint32Array(sorted.buffer);
    let n = 0;
    for (let slot = 0; slot < OPEN_SLOTS; slot++) {
      if (!this.openUsed[slot]) continue;
      pairs[2 * n] = this.openPairs[2 * slot];
      pairs[2 * n + 1] = this.openPairs[2 * slot + 1];
      n++;
    }
    this.chunks.push(indexed(sorted, this.openNewest, false));
    this.frozenCount += n;
    this.openUsed.fill(0);
    this.openCount = 0;
    this.openSince = undefined;
    if (this.chunks.length - this.mergedCount() >= MERGE_CHUNKS) this.mergeRecent();
    let dropped = false;
    while (this.size > TXID_HISTORY_MAX && this.chunks.length > 0) dropped = this.dropOldest();
    if (dropped) this.rebuildFilter();
  }

  /** Chunks that are merges already sit first; the recent small ones follow. */
  private mergedCount(): number {
    let n = 0;
    while (n < this.chunks.length && this.chunks[n].merged) n++;
    return n;
  }

  private mergeRecent(): void {
    const first = this.mergedCount();
    const recent = this.chunks.slice(first);
    const total = recent.reduce((n, c) => n + c.pairs.length / 2, 0);
    const sorted = new BigUint64Array(total);
    const pairs = new Uint32Array(sorted.buffer);
    let at = 0;
    for (const c of recent) {
      pairs.set(c.pairs, at);
      at += c.pairs.length;
    }
    this.chunks = [...this.chunks.slice(0, first), indexed(sorted, recent[recent.length - 1].newest, true)];
  }

  private expire(now: number): void {
    if (this.openSince !== undefined && now - this.openSince >= OPEN_CHUNK_MS) this.freeze();
    let dropped = false;
    while (this.chunks.length > 0 && now - this.chunks[0].newest > TXID_HISTORY_MS) dropped = this.dropOldest();
    if (dropped) this.rebuildFilter();
  }

  private dropOldest(): boolean {
    const c = this.chunks.shift();
    if (c) this.frozenCount -= c.pairs.length / 2;
    return true;
  }
}

/** Sorts `values` (as u64, natively) and indexes them by their top 16 bits. */
function indexed(values: BigUint64Array, newest: number, merged: boolean): Chunk {
  values.sort();
  const pairs = new Uint32Array(values.buffer);
  const index = new Uint32Array(INDEX_BUCKETS + 1);
  const n = values.length;
  let i = 0;
  for (let b = 0; b < INDEX_BUCKETS; b++) {
    index[b] = i;
    while (i < n && pairs[2 * i + 1] >>> (32 - INDEX_BITS) === b) i++;
  }
  index[INDEX_BUCKETS] = n;
  return { pairs, index, newest, merged };
}

function chunkHas(c: Chunk, lo: number, hi: number): boolean {
  const b = hi >>> (32 - INDEX_BITS);
  let left = c.index[b];
  let right = c.index[b + 1] - 1;
  const pairs = c.pairs;
  while (left <= right) {
    const mid = (left + right) >>> 1;
    const h = pairs[2 * mid + 1];
    const l = pairs[2 * mid];
    if (h === hi && l === lo) return true;
    if (h < hi || (h === hi && l < lo)) left = mid + 1;
    else right = mid - 1;
  }
  return false;
}
