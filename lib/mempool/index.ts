/**
 * An open-addressing hash index in typed arrays (linear probing, backward-shift deletion): a
 * 32-bit hash → an int value and an int aux, with the caller's equality test run only when the
 * hashes match. No object, string or Map entry per key: the view's 300,000 transactions and their
 * ~700,000 spent outpoints cost ~12 bytes a table slot and nothing for the GC to trace.
 * The table doubles past half full and halves below an eighth (so it shrinks after a peak), never
 * below MIN_SLOTS.
 */
const EMPTY = -1;
const MIN_SLOTS = 1024;

export class HashIndex {
  private hashes = new Uint32Array(MIN_SLOTS);
  private vals = new Int32Array(MIN_SLOTS).fill(EMPTY);
  private auxs = new Int32Array(MIN_SLOTS);
  private mask = MIN_SLOTS - 1;
  private shift = 32 - Math.log2(MIN_SLOTS);
  size = 0;

  /** `eq(val, aux)`: does the stored entry equal the key the caller looks for now. */
  constructor(private readonly eq: (val: number, aux: number) => boolean) {}

  /** Bytes the table holds (for the view's bound). */
  get bytes(): number {
    return this.vals.length * 12;
  }

  private home(h: number): number {
    return Math.imul(h, 0x9e3779b1) >>> this.shift;
  }

  /** The slot of the entry with hash `h` that `eq` accepts; -1 if none. */
  slot(h: number): number {
    for (let i = this.home(h); ; i = (i + 1) & this.mask) {
      const v = this.vals[i];
      if (v === EMPTY) return -1;
      if (this.hashes[i] === h && this.eq(v, this.auxs[i])) return i;
    }
  }

  /** The value of the entry `eq` accepts; -1 if none. */
  find(h: number): number {
    const i = this.slot(h);
    return i < 0 ? -1 : this.vals[i];
  }

  aux(slot: number): number {
    return this.auxs[slot];
  }

  /** Adds an entry unless `eq` accepts one held with hash `h`; false then (nothing added). */
  insert(h: number, val: number, aux = 0): boolean {
    if ((this.size + 1) * 2 > this.vals.length) this.resize(this.vals.length * 2);
    let i = this.home(h);
    for (; this.vals[i] !== EMPTY; i = (i + 1) & this.mask) if (this.hashes[i] === h && this.eq(this.vals[i], this.auxs[i])) return false;
    this.hashes[i] = h;
    this.vals[i] = val;
    this.auxs[i] = aux;
    this.size++;
    return true;
  }

  /** Removes the entry with hash `h` whose value and aux are these; false if there is none. */
  remove(h: number, val: number, aux = 0): boolean {
    let i = this.home(h);
    for (; ; i = (i + 1) & this.mask) {
      const v = this.vals[i];
      if (v === EMPTY) return false;
      if (v === val && this.auxs[i] === aux && this.hashes[i] === h) break;
    }
    // Backward shift: move up each following entry whose home does not lie in (i, j].
    for (let j = (i + 1) & this.mask; this.vals[j] !== EMPTY; j = (j + 1) & this.mask) {
      const k = this.home(this.hashes[j]);
      const stays = i <= j ? i < k && k <= j : i < k || k <= j;
      if (stays) continue;
      this.hashes[i] = this.hashes[j];
      this.vals[i] = this.vals[j];
      this.auxs[i] = this.auxs[j];
      i = j;
    }
    this.vals[i] = EMPTY;
    this.size--;
    if (this.size * 8 < this.vals.length && this.vals.length > MIN_SLOTS) this.resize(this.vals.length / 2);
    return true;
  }

  private resize(slots: number): void {
    const { hashes, vals, auxs } = this;
    this.hashes = new Uint32Array(slots);
    this.vals = new Int32Array(slots).fill(EMPTY);
    this.auxs = new Int32Array(slots);
    this.mask = slots - 1;
    this.shift = 32 - Math.log2(slots);
    for (let j = 0; j < vals.length; j++) {
      if (vals[j] === EMPTY) continue;
      let i = this.home(hashes[j]);
      while (this.vals[i] !== EMPTY) i = (i + 1) & this.mask;
      this.hashes[i] = hashes[j];
      this.vals[i] = vals[j];
      this.auxs[i] = auxs[j];
    }
  }
}
