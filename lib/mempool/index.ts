/**
 * An open-addressing hash index in typed arrays (linear probing, backward-shift deletion): a
 * 32-bit hash → an int value and an int aux, with the caller's equality test run only when the
 * hashes match. No object, string or Map entry per key: the view's 300,000 transactions and their
 * ~700,000 spent outpoints cost ~12 bytes a table slot and nothing for the GC to trace.
 * The table doubles past three quarters full and halves below an eighth (so it shrinks after a
 * peak), never below MIN_SLOTS. Three quarters, not a half: linear probing's expected probe at
 * that load is still within two cache lines, and the view's two tables at a 300,000-transaction
 * peak are half the size (19 MB less, BENCHMARKS.md), so fewer of their lines miss the caches.
 */
/** A free table slot: values are stored plus one, so that a fresh (zeroed) table needs no filling pass. */
const EMPTY = 0;
const MIN_SLOTS = 1024;
/**
 * Int32s an entry takes in the table: its hash, value and aux side by side, so that a probe reads
 * one cache line (three parallel arrays made it three misses a probe at a 300,000-entry view).
 */
const W = 3;

export class HashIndex {
  /** [hash, val + 1, aux] per table slot; EMPTY in the middle one when the slot is free. */
  private e = new Int32Array(MIN_SLOTS * W);
  private mask = MIN_SLOTS - 1;
  private shift = 32 - Math.log2(MIN_SLOTS);
  private slots = MIN_SLOTS;
  size = 0;

  /** `eq(val, aux)`: does the stored entry equal the key the caller looks for now. */
  constructor(private readonly eq: (val: number, aux: number) => boolean) {}

  /** Bytes the table holds (for the view's bound). */
  get bytes(): number {
    return this.slots * W * 4;
  }

  private home(h: number): number {
    return Math.imul(h, 0x9e3779b1) >>> this.shift;
  }

  /**
   * A bit of the cache line where a probe for `h` starts (a small integer: no number is boxed).
   * The view reads the lines of all the keys a transaction will probe first, in a row: their cache (and TLB) misses, each ~100-200 ns in a
   * table of tens of MB, then overlap instead of coming one after another.
   */
  touch(h: number): number {
    return this.e[this.home(h) * W] & 1;
  }

  /** The table slot of the entry with hash `h` that `eq` accepts; -1 if none. */
  slot(h: number): number {
    const e = this.e;
    const hh = h | 0;
    for (let i = this.home(h); ; i = (i + 1) & this.mask) {
      const v = e[i * W + 1];
      if (v === EMPTY) return -1;
      if (e[i * W] === hh && this.eq(v - 1, e[i * W + 2])) return i;
    }
  }

  /** The value of the entry `eq` accepts; -1 if none. */
  find(h: number): number {
    const i = this.slot(h);
    return i < 0 ? -1 : this.e[i * W + 1] - 1;
  }

  aux(slot: number): number {
    return this.e[slot * W + 2];
  }

  /** Adds an entry unless `eq` accepts one held with hash `h`; false then (nothing added). */
  insert(h: number, val: number, aux = 0): boolean {
    if ((this.size + 1) * 4 > this.slots * 3) this.resize(this.slots * 2);
    const e = this.e;
    const hh = h | 0;
    let i = this.home(h);
    for (; e[i * W + 1] !== EMPTY; i = (i + 1) & this.mask) if (e[i * W] === hh && this.eq(e[i * W + 1] - 1, e[i * W + 2])) return false;
    e[i * W] = hh;
    e[i * W + 1] = val + 1;
    e[i * W + 2] = aux;
    this.size++;
    return true;
  }

  /** Removes the entry with hash `h` whose value and aux are these; false if there is none. */
  remove(h: number, val: number, aux = 0): boolean {
    const e = this.e;
    const hh = h | 0;
    let i = this.home(h);
    for (; ; i = (i + 1) & this.mask) {
      const v = e[i * W + 1];
      if (v === EMPTY) return false;
      if (v === val + 1 && e[i * W + 2] === aux && e[i * W] === hh) break;
    }
    // Backward shift: move up each following entry whose home does not lie in (i, j].
    for (let j = (i + 1) & this.mask; e[j * W + 1] !== EMPTY; j = (j + 1) & this.mask) {
      const k = this.home(e[j * W]);
      const stays = i <= j ? i < k && k <= j : i < k || k <= j;
      if (stays) continue;
      e[i * W] = e[j * W];
      e[i * W + 1] = e[j * W + 1];
      e[i * W + 2] = e[j * W + 2];
      i = j;
    }
    e[i * W + 1] = EMPTY;
    this.size--;
    if (this.size * 8 < this.slots && this.slots > MIN_SLOTS) this.resize(this.slots / 2);
    return true;
  }

  private resize(slots: number): void {
    const old = this.e;
    const e = new Int32Array(slots * W);
    this.e = e;
    this.slots = slots;
    this.mask = slots - 1;
    this.shift = 32 - Math.log2(slots);
    for (let j = 0; j < old.length; j += W) {
      if (old[j + 1] === EMPTY) continue;
      let i = this.home(old[j]);
      while (e[i * W + 1] !== EMPTY) i = (i + 1) & this.mask;
      e[i * W] = old[j];
      e[i * W + 1] = old[j + 1];
      e[i * W + 2] = old[j + 2];
    }
  }
}
