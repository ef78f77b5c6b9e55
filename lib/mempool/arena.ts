/**
 * A byte arena for ranges taken in arrival order and let go in any order: a range is taken at the
 * end; when the end is reached, the arena is compacted in place if at most three quarters of it
 * would be live, else grown to 1.5× what is live. The owner lists its live ranges in arena order
 * (the order it took them: compaction keeps it), and each moves down once, adjacent ranges as one
 * copy: amortized O(1) a byte, and nothing for the GC to trace.
 */
const MIN_BYTES = 64 * 1024;

/** Calls `move(offset, length)` for every live range, in arena order, storing the new offset it returns. */
export type LiveRanges = (move: (offset: number, length: number) => number) => void;

/**
 * Copies `src` into `to` at `at`, returning the end. A byte loop: TypedArray.prototype.set costs a
 * builtin call (~100 ns, the profile's largest line in add()) for a 22-byte script; set() from 64 bytes.
 */
export function copyBytes(src: Uint8Array, to: Uint8Array, at: number): number {
  const n = src.length;
  if (n >= 64) to.set(src, at);
  else for (let k = 0; k < n; k++) to[at + k] = src[k];
  return at + n;
}

export class Arena {
  bytes = new Uint8Array(MIN_BYTES);
  dv = new DataView(this.bytes.buffer);
  private top = 0;
  private live = 0;

  /** Bytes held (the bound's estimate stands for them). */
  get size(): number {
    return this.bytes.length;
  }

  /** The offset of `len` fresh bytes; `ranges` is walked if the arena must be compacted or grown first. */
  take(len: number, ranges: LiveRanges): number {
    if (this.top + len > this.bytes.length) this.compact(this.live + len, ranges);
    const o = this.top;
    this.top += len;
    this.live += len;
    return o;
  }

  free(len: number): void {
    this.live -= len;
  }

  private compact(need: number, ranges: LiveRanges): void {
    const to = need <= this.bytes.length * 0.75 ? this.bytes : new Uint8Array(Math.max(MIN_BYTES, Math.ceil(need * 1.5)));
    let top = 0;
    // Runs of adjacent live ranges move as one.
    let runFrom = 0;
    let runLen = 0;
    ranges((from, len) => {
      if (from !== runFrom + runLen) {
        this.move(to, runFrom, runLen, top - runLen);
        runFrom = from;
        runLen = 0;
      }
      runLen += len;
      top += len;
      return top - len;
    });
    this.move(to, runFrom, runLen, top - runLen);
    if (to !== this.bytes) {
      this.bytes = to;
      this.dv = new DataView(to.buffer);
    }
    this.top = top;
  }

  private move(to: Uint8Array, from: number, len: number, at: number): void {
    if (len === 0) return;
    if (to === this.bytes) to.copyWithin(at, from, from + len);
    else to.set(this.bytes.subarray(from, from + len), at);
  }
}
