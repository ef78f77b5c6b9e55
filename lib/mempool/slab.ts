/** No slot. */
export const NONE = -1;

const MIN_SLOTS = 1024;
/** Bytes of a slot's fixed fields (the arrays below). */
export const SLOT_FIXED_BYTES = 32 + 4 * 4 + 8 * 3 + 4 * 4 + 1;

/**
 * Estimated bytes a transaction retains besides its packed bytes: its slot's fixed fields (~100
 * bytes; the slots are made for the bound at once), its TX entry's table slots (12 bytes each, the
 * table between an eighth and three quarters full); per input its SPENT entry's; and its packed
 * bytes with the arena's slack (garbage and spare chunks up to a quarter of the live bytes each).
 * Calibrated by npm run bench:mempool (BENCHMARKS.md): heap and typed arrays measured at 300,000.
 */
const ENTRY_BYTES = 200;
const INPUT_BYTES = 36;

function grown<T extends Uint8Array | Uint32Array | Int32Array | Float64Array>(a: T, make: (n: number) => T, n: number): T {
  const b = make(n);
  b.set(a);
  return b;
}

/**
 * The store's slots (store.ts): a slot's fields in typed arrays (struct of arrays), slots reused
 * through a free list, and the arrival order, a doubly linked list through them. Made for the
 * view's bound at once (a slot's pages are touched when it is first used), grown by 1.5× past it.
 */
export class Slab {
  txid = new Uint8Array(0);
  vsize = new Uint32Array(0);
  weight = new Uint32Array(0);
  time = new Float64Array(0);
  /** Satoshis; NaN while unknown. */
  fee = new Float64Array(0);
  outValue = new Float64Array(0);
  nIn = new Uint32Array(0);
  nOut = new Uint32Array(0);
  flags = new Uint8Array(0);
  prev = new Int32Array(0);
  next = new Int32Array(0);
  /** The slot's range in the store's arena. */
  protected dataOff = new Int32Array(0);
  protected dataLen = new Int32Array(0);
  /** The arrival order's ends. */
  head = NONE;
  tail = NONE;
  private freeHead = NONE;
  private top = 0;

  /** `capacity`: slots made at once (growing by 1.5× copies every slot into fresh pages, ~3 ns a byte on first touch here, BENCHMARKS.md). */
  constructor(capacity: number) {
    if (capacity > 0) this.grow(capacity);
  }

  /** Estimated bytes the transaction in `slot` retains. */
  bytes(slot: number): number {
    return ENTRY_BYTES + this.nIn[slot] * INPUT_BYTES + Math.ceil(1.4 * this.dataLen[slot]);
  }

  /** Whether a new slot would grow the arrays: none free, every one made in use. */
  protected get full(): boolean {
    return this.freeHead === NONE && this.top === this.vsize.length;
  }

  /** A free slot, not yet in the arrival order (append() it once its fields are set). */
  protected alloc(): number {
    if (this.freeHead !== NONE) {
      const slot = this.freeHead;
      this.freeHead = this.next[slot];
      return slot;
    }
    if (this.top === this.vsize.length) this.grow(Math.max(MIN_SLOTS, Math.ceil(this.vsize.length * 1.5)));
    return this.top++;
  }

  /** Last in the arrival order. */
  protected append(slot: number): void {
    this.prev[slot] = this.tail;
    this.next[slot] = NONE;
    if (this.tail === NONE) this.head = slot;
    else this.next[this.tail] = slot;
    this.tail = slot;
  }

  /** Out of the arrival order, free (its flags 0). */
  protected release(slot: number): void {
    const p = this.prev[slot];
    const n = this.next[slot];
    if (p === NONE) this.head = n;
    else this.next[p] = n;
    if (n === NONE) this.tail = p;
    else this.prev[n] = p;
    this.flags[slot] = 0;
    this.next[slot] = this.freeHead;
    this.freeHead = slot;
  }

  private grow(n: number): void {
    this.txid = grown(this.txid, (m) => new Uint8Array(m), n * 32);
    this.vsize = grown(this.vsize, (m) => new Uint32Array(m), n);
    this.weight = grown(this.weight, (m) => new Uint32Array(m), n);
    this.time = grown(this.time, (m) => new Float64Array(m), n);
    this.fee = grown(this.fee, (m) => new Float64Array(m), n);
    this.outValue = grown(this.outValue, (m) => new Float64Array(m), n);
    this.nIn = grown(this.nIn, (m) => new Uint32Array(m), n);
    this.nOut = grown(this.nOut, (m) => new Uint32Array(m), n);
    this.flags = grown(this.flags, (m) => new Uint8Array(m), n);
    this.prev = grown(this.prev, (m) => new Int32Array(m), n);
    this.next = grown(this.next, (m) => new Int32Array(m), n);
    this.dataOff = grown(this.dataOff, (m) => new Int32Array(m), n);
    this.dataLen = grown(this.dataLen, (m) => new Int32Array(m), n);
  }
}
