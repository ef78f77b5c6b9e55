/**
 * A byte arena for ranges taken in arrival order and let go in any order, in chunks: a range is
 * taken at the end of the last chunk, or at the start of a new one; a chunk whose ranges have all
 * gone is let go at once (transactions mostly leave in arrival order: confirmations take the
 * oldest), kept for reuse up to a quarter of the live bytes. When the garbage (holes left by
 * replacements, evictions, transactions that stay) has grown by a quarter of the live bytes and a
 * chunk past what the last compaction left, the arena is compacted in place, in arena order: the
 * owner lists its live ranges in the order it took them (compaction keeps it) and each moves down
 * once, adjacent ranges as one copy: amortized O(1) a byte, and nothing for the GC to trace.
 *
 * Chunks, not one array grown by copying: on this machine a page's first touch costs ~3 ns a byte
 * (a fault per 4 KB, BENCHMARKS.md), a hundred times a copy, and growing one array by 1.5× copied
 * every live byte into fresh pages at each step (116 MB in a 300,000-transaction fill, ~0.4 s).
 *
 * An offset is a chunk's id × ARENA_RANGE_MAX + the range's place in it (an int32); a range never
 * straddles chunks, so an offset plus a place in its range stays in its chunk.
 */
/** Bytes of a chunk. */
export const ARENA_CHUNK_BYTES = 4 * 1024 * 1024;
const SPAN_SHIFT = 23;
/** Offsets a chunk id spans: a range longer than a chunk (up to this) gets a chunk of its own size. Any transaction of a 4,000,000-byte message (MAX_PROTOCOL_MESSAGE_LENGTH, net.h) packs into less. */
export const ARENA_RANGE_MAX = 1 << SPAN_SHIFT;
/** Chunk ids (int32 offsets): 256 × 4 MB, past what the view's bound (VIEW_MAX_BYTES) lets it hold with the garbage compaction allows. */
const ARENA_CHUNKS_MAX = 256;
/**
 * Empty chunks are kept for reuse instead of fresh ones (whose pages fault on first touch) up to
 * this fraction of the live bytes (and one chunk): what a compaction lets go is taken again as
 * the view refills (a quarter: the garbage compaction allows).
 */
const SPARE_FRACTION = 0.25;
const LOCAL = ARENA_RANGE_MAX - 1;

/** Calls `move(offset, length)` for every live range, in arena order, storing the new offset it returns. */
export type LiveRanges = (move: (offset: number, length: number) => number) => void;

/**
 * Copies `src` into `to` at `at`, returning the end. TypedArray.prototype.set is a builtin call,
 * ~16 ns whatever the length here; a byte loop ~1.1 ns a byte (`npm run bench:machine`, Node 20):
 * set() from COPY_BY_SET bytes (a txid, a P2WPKH script), the loop below.
 */
export function copyBytes(src: Uint8Array, to: Uint8Array, at: number): number {
  const n = src.length;
  if (n >= COPY_BY_SET) to.set(src, at);
  else for (let k = 0; k < n; k++) to[at + k] = src[k];
  return at + n;
}

/** Bytes from which copyBytes calls set(). */
const COPY_BY_SET = 16;

const NO_BYTES = new Uint8Array(0);
const NO_VIEW = new DataView(NO_BYTES.buffer);

/** The place of `offset` in its chunk (arena.buf(offset), arena.view(offset)). */
export const local = (offset: number): number => offset & LOCAL;

export class Arena {
  /** Per chunk id: its bytes and a DataView of them (empty while the id is free). */
  private readonly chunks: Uint8Array[] = [];
  private readonly views: DataView[] = [];
  /** Per chunk id: the live bytes of its ranges. */
  private readonly chunkLive: number[] = [];
  /** Ids of the held chunks in arena order: ranges are taken at the end of the last. */
  private readonly order: number[] = [];
  private readonly freeIds: number[] = [];
  private readonly spare: Uint8Array[] = [];
  private top = 0;
  private live = 0;
  /** Compactions so far. */
  compactions = 0;
  private held = 0;
  /** The garbage the last compaction left (chunks' tails a range did not fit in): the next waits for a quarter of the live bytes more. */
  private floor = 0;

  /** `chunkBytes`: a chunk's size (tests make it small), at most ARENA_RANGE_MAX. */
  constructor(private readonly chunkBytes = ARENA_CHUNK_BYTES) {}

  /** Bytes held (the bound's estimate stands for them), spare chunks included. */
  get size(): number {
    return this.held + this.spare.length * this.chunkBytes;
  }

  /** The bytes of the chunk `offset` is in. */
  buf(offset: number): Uint8Array {
    return this.chunks[offset >>> SPAN_SHIFT];
  }

  view(offset: number): DataView {
    return this.views[offset >>> SPAN_SHIFT];
  }

  /** The offset of `len` fresh bytes; `ranges` is walked if the arena is compacted first. */
  take(len: number, ranges: LiveRanges): number {
    if (len > ARENA_RANGE_MAX) throw new RangeError(`arena range of ${len} bytes`);
    const last = this.order.length - 1;
    if (last < 0 || this.top + len > this.chunks[this.order[last]].length) {
      this.floor = Math.min(this.floor, this.held - this.live);
      if (this.held - this.live - this.floor > this.live / 4 + this.chunkBytes) this.compact(ranges);
      const cur = this.order.length - 1;
      if (cur < 0 || this.top + len > this.chunks[this.order[cur]].length) this.open(len);
    }
    const id = this.order[this.order.length - 1];
    const o = id * ARENA_RANGE_MAX + this.top;
    this.top += len;
    this.live += len;
    this.chunkLive[id] += len;
    return o;
  }

  /** The range at `offset` of `len` bytes is let go; its chunk too if nothing in it is live and it is not the last. */
  free(offset: number, len: number): void {
    if (len === 0) return;
    const id = offset >>> SPAN_SHIFT;
    this.live -= len;
    // The view shrank: spare chunks past its quarter go.
    if (this.spare.length > 0 && (this.spare.length - 1) * this.chunkBytes > this.live * SPARE_FRACTION) this.spare.pop();
    this.chunkLive[id] -= len;
    if (this.chunkLive[id] !== 0) return;
    if (id === this.order[this.order.length - 1]) this.top = 0;
    else {
      this.order.splice(this.order.indexOf(id), 1);
      this.release(id);
    }
  }

  private open(len: number): void {
    const id = this.freeIds.pop() ?? this.chunks.length;
    if (id >= ARENA_CHUNKS_MAX) throw new RangeError('arena chunks exhausted');
    const bytes = len > this.chunkBytes ? new Uint8Array(len) : (this.spare.pop() ?? new Uint8Array(this.chunkBytes));
    this.chunks[id] = bytes;
    this.views[id] = new DataView(bytes.buffer);
    this.chunkLive[id] = 0;
    this.order.push(id);
    this.held += bytes.length;
    this.top = 0;
  }

  private release(id: number): void {
    const bytes = this.chunks[id];
    this.held -= bytes.length;
    if (bytes.length === this.chunkBytes && this.spare.length * this.chunkBytes < this.live * SPARE_FRACTION) this.spare.push(bytes);
    this.chunks[id] = NO_BYTES;
    this.views[id] = NO_VIEW;
    this.freeIds.push(id);
  }

  /**
   * Every live range moves down, in arena order, to the first place in the held chunks (in
   * their order) where it fits: never past where it is, so nothing is overwritten before it
   * moved; runs of adjacent ranges move as one copy. The chunks after the last one used are let go.
   */
  private compact(ranges: LiveRanges): void {
    this.compactions++;
    const order = this.order;
    for (const id of order) this.chunkLive[id] = 0;
    this.cAt = 0;
    this.cTop = 0;
    this.cSrcId = -1;
    this.cSrcFrom = 0;
    this.cRunAt = 0;
    this.cRunLen = 0;
    ranges(this.moveRange);
    const at = this.cAt;
    this.copy(this.cSrcId, this.cSrcFrom, order[at], this.cRunAt, this.cRunLen);
    for (const id of order.splice(at + 1)) this.release(id);
    // A chunk a longer range skipped holds nothing now.
    for (let k = at - 1; k >= 0; k--) if (this.chunkLive[order[k]] === 0) this.release(order.splice(k, 1)[0]);
    this.top = this.cTop;
    this.floor = this.held - this.live;
  }

  /**
   * A compaction's state, in fields, and its step as one function made once: a closure made per
   * compaction was a new object each time, and the code optimized around the last one was thrown
   * away with it (V8's "weak objects" deoptimization), so each walk of 300,000 ranges ran unoptimized.
   * The destination: order[cAt], at cTop in it; the current run: from (cSrcId, cSrcFrom) to
   * (order[cAt], cRunAt), cRunLen bytes.
   */
  private cAt = 0;
  private cTop = 0;
  private cSrcId = -1;
  private cSrcFrom = 0;
  private cRunAt = 0;
  private cRunLen = 0;
  private readonly moveRange = (offset: number, len: number): number => {
    const order = this.order;
    const id = offset >>> SPAN_SHIFT;
    const from = offset & LOCAL;
    while (this.cTop + len > this.chunks[order[this.cAt]].length) {
      this.copy(this.cSrcId, this.cSrcFrom, order[this.cAt], this.cRunAt, this.cRunLen);
      this.cRunLen = 0;
      this.cAt++;
      this.cTop = 0;
    }
    if (this.cRunLen > 0 && (id !== this.cSrcId || from !== this.cSrcFrom + this.cRunLen || this.cRunAt + this.cRunLen !== this.cTop)) {
      this.copy(this.cSrcId, this.cSrcFrom, order[this.cAt], this.cRunAt, this.cRunLen);
      this.cRunLen = 0;
    }
    if (this.cRunLen === 0) {
      this.cSrcId = id;
      this.cSrcFrom = from;
      this.cRunAt = this.cTop;
    }
    this.cRunLen += len;
    this.chunkLive[order[this.cAt]] += len;
    this.cTop += len;
    return order[this.cAt] * ARENA_RANGE_MAX + this.cTop - len;
  };

  private copy(srcId: number, from: number, dstId: number, to: number, len: number): void {
    if (len === 0 || (srcId === dstId && from === to)) return;
    if (srcId === dstId) this.chunks[dstId].copyWithin(to, from, from + len);
    else this.chunks[dstId].set(this.chunks[srcId].subarray(from, from + len), to);
  }
}
